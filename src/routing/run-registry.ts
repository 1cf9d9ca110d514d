import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
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

/** What starting a run needs to know of the registry, read in one statement. */
export interface StartView {
  /** The run this very trigger event registered, if an earlier routing attempt got that far. */
  startedBy: RunRow | null;
  /** The running run with this workflow id. */
  running: RunRow | null;
  /** The customer's most recent entry into the journey (any key); read only when asked for. */
  lastEntry: RunRow | null;
}

/**
 * findRunStartedBy, findRunningRun and (when the re-entry policy needs it) findLastEntry as one
 * statement: the rows matching any of the three, told apart here.
 */
export async function readStartView(
  db: Database,
  request: {
    journeyId: string;
    customerId: string;
    workflowId: string;
    triggerEventId: string;
    withLastEntry: boolean;
  },
): Promise<StartView> {
  const ofJourney = and(
    eq(journeyRuns.journeyId, request.journeyId),
    eq(journeyRuns.customerId, request.customerId),
  );
  const lastEntryId = db
    .select({ id: journeyRuns.id })
    .from(journeyRuns)
    .where(ofJourney)
    .orderBy(desc(journeyRuns.startedAt))
    .limit(1);
  const rows = await db
    .select()
    .from(journeyRuns)
    .where(
      or(
        and(ofJourney, eq(journeyRuns.triggerEventId, request.triggerEventId)),
        and(eq(journeyRuns.workflowId, request.workflowId), eq(journeyRuns.status, 'running')),
        request.withLastEntry ? eq(journeyRuns.id, sql`(${lastEntryId})`) : undefined,
      ),
    );
  const mine = rows.filter(
    (r) => r.journeyId === request.journeyId && r.customerId === request.customerId,
  );
  return {
    startedBy: mine.find((r) => r.triggerEventId === request.triggerEventId) ?? null,
    running:
      rows.find((r) => r.workflowId === request.workflowId && r.status === 'running') ?? null,
    lastEntry: request.withLastEntry ? newest(mine) : null,
  };
}

function newest(rows: RunRow[]): RunRow | null {
  let latest: RunRow | null = null;
  for (const row of rows) if (!latest || row.startedAt > latest.startedAt) latest = row;
  return latest;
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
