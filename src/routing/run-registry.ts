import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/database';
import { journeyRuns, type RunRegistryStatus } from '../db/schema';

export type RunRow = typeof journeyRuns.$inferSelect;
export type NewRunRow = typeof journeyRuns.$inferInsert;

/** Reads and writes of the runs registry used by routing and the runs API. */

export async function findRunningRun(db: Database, workflowId: string): Promise<RunRow | null> {
  const rows = await db
    .select()
    .from(journeyRuns)
    .where(and(eq(journeyRuns.workflowId, workflowId), eq(journeyRuns.status, 'running')))
    .limit(1);
  return rows[0] ?? null;
}

export async function findLatestRun(db: Database, workflowId: string): Promise<RunRow | null> {
  const rows = await db
    .select()
    .from(journeyRuns)
    .where(eq(journeyRuns.workflowId, workflowId))
    .orderBy(desc(journeyRuns.startedAt))
    .limit(1);
  return rows[0] ?? null;
}

/** A customer's runs, newest first. */
export function listCustomerRuns(
  db: Database,
  customerId: string,
  limit: number,
): Promise<RunRow[]> {
  return db
    .select()
    .from(journeyRuns)
    .where(eq(journeyRuns.customerId, customerId))
    .orderBy(desc(journeyRuns.startedAt))
    .limit(limit);
}

/** The run this very event started, if an earlier routing attempt got that far. */
export async function findRunStartedBy(
  db: Database,
  journeyId: string,
  eventId: string,
): Promise<RunRow | null> {
  const rows = await db
    .select()
    .from(journeyRuns)
    .where(and(eq(journeyRuns.journeyId, journeyId), eq(journeyRuns.triggerEventId, eventId)))
    .limit(1);
  return rows[0] ?? null;
}

/** The customer's most recent entry into the journey (any key), for once and cooldown. */
export async function findLastEntry(
  db: Database,
  journeyId: string,
  customerId: string,
): Promise<RunRow | null> {
  const rows = await db
    .select()
    .from(journeyRuns)
    .where(and(eq(journeyRuns.journeyId, journeyId), eq(journeyRuns.customerId, customerId)))
    .orderBy(desc(journeyRuns.startedAt))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Registers a running run. Returns null when another run with this workflow id is already
 * running: the partial unique index settles concurrent starts.
 */
export async function insertRunningRun(db: Database, values: NewRunRow): Promise<RunRow | null> {
  const rows = await db
    .insert(journeyRuns)
    .values({ ...values, status: 'running' })
    .onConflictDoNothing()
    .returning();
  return rows[0] ?? null;
}

export async function recordTemporalRunId(
  db: Database,
  id: string,
  temporalRunId: string,
): Promise<void> {
  await db
    .update(journeyRuns)
    .set({ temporalRunId })
    .where(and(eq(journeyRuns.id, id), isNull(journeyRuns.temporalRunId)));
}

/** Ends a registry row unless something (the workflow itself) already recorded its end. */
export async function markRunEnded(
  db: Database,
  id: string,
  status: Exclude<RunRegistryStatus, 'running'>,
  finishReason: string,
): Promise<void> {
  await db
    .update(journeyRuns)
    .set({ status, finishReason, endedAt: new Date() })
    .where(and(eq(journeyRuns.id, id), eq(journeyRuns.status, 'running')));
}
