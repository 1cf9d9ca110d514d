import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { events, journeyRuns } from '../db/schema';

/**
 * The routing tables' part in a merge of two customers (src/identity composes the merge): the
 * merged-away customer's events and registry rows move to the survivor, so its history counts for
 * the survivor and its running runs get the survivor's events. Each move answers the row ids it
 * moved, so an unmerge gives exactly those back.
 */

/** Moves every event of `from` to `into`; the ids moved. */
export async function moveCustomerEvents(
  db: Database,
  from: string,
  into: string,
): Promise<string[]> {
  const moved = await db
    .update(events)
    .set({ customerId: into })
    .where(eq(events.customerId, from))
    .returning({ id: events.id });
  return moved.map((row) => row.id);
}

/** Gives these events back to `to` (an unmerge). */
export async function returnCustomerEvents(db: Database, ids: string[], to: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(events)
    .set({ customerId: to })
    .where(sql`${events.id} = any(${sql.param(ids)})`);
}

/** Moves every registry row of `from` to `into` (running and ended); the row ids moved. */
export async function moveCustomerRuns(
  db: Database,
  from: string,
  into: string,
): Promise<string[]> {
  const moved = await db
    .update(journeyRuns)
    .set({ customerId: into })
    .where(eq(journeyRuns.customerId, from))
    .returning({ id: journeyRuns.id });
  return moved.map((row) => row.id);
}

/** Gives these registry rows back to `to` (an unmerge). */
export async function returnCustomerRuns(db: Database, ids: string[], to: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(journeyRuns)
    .set({ customerId: to })
    .where(sql`${journeyRuns.id} = any(${sql.param(ids)})`);
}
