import { and, asc, count, eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { events, journeyRuns } from '../db/schema';

/**
 * The customer's rows of the tables routing owns — the events (outbox) and the runs registry —
 * for their export and erasure (src/privacy composes the erasure). Storing events stays with
 * recordEvents; these only read and delete.
 */

export type StoredEventRow = typeof events.$inferSelect;

/** The customer's events in arrival order, at most `limit`. */
export function customerEvents(
  db: Database,
  customerId: string,
  limit: number,
): Promise<StoredEventRow[]> {
  return db
    .select()
    .from(events)
    .where(eq(events.customerId, customerId))
    .orderBy(asc(events.seq))
    .limit(limit);
}

/** Every registry row of the customer (ids and states only), running ones and ended ones. */
export function customerRunRows(
  db: Database,
  customerId: string,
): Promise<
  Pick<typeof journeyRuns.$inferSelect, 'id' | 'workflowId' | 'temporalRunId' | 'status'>[]
> {
  return db
    .select({
      id: journeyRuns.id,
      workflowId: journeyRuns.workflowId,
      temporalRunId: journeyRuns.temporalRunId,
      status: journeyRuns.status,
    })
    .from(journeyRuns)
    .where(eq(journeyRuns.customerId, customerId));
}

/** How many of the customer's runs the registry still has running. */
export async function countRunningRuns(db: Database, customerId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(journeyRuns)
    .where(and(eq(journeyRuns.customerId, customerId), eq(journeyRuns.status, 'running')));
  return row?.n ?? 0;
}

/** Deletes the customer's events, routed or not: their properties are the customer's data. */
export async function eraseCustomerEvents(db: Database, customerId: string): Promise<number> {
  const deleted = await db
    .delete(events)
    .where(eq(events.customerId, customerId))
    .returning({ id: events.id });
  return deleted.length;
}

/**
 * Deletes the customer's registry rows (their traces hold the values decisions saw). Only once
 * none is running: the erasure closes the runs first, and a run that reports its end later
 * finds no row, which changes nothing.
 */
export async function eraseCustomerRuns(db: Database, customerId: string): Promise<number> {
  const deleted = await db
    .delete(journeyRuns)
    .where(eq(journeyRuns.customerId, customerId))
    .returning({ id: journeyRuns.id });
  return deleted.length;
}
