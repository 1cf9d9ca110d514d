import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerTombstones } from '../db/schema';

/** A customer's erasure as the tombstone records it (GET /v1/customers/:id/erasure). */
export type TombstoneRow = typeof customerTombstones.$inferSelect;

/**
 * The tombstone of an erasure starting now, written before anything is erased: from its commit
 * on, events and profile writes for the id are refused and sends to the customer's addresses
 * are refused. Idempotent: a tombstone already standing is returned as it is (a second request
 * joins the first); one released by a new opt-in starts over as a new erasure.
 */
export async function openTombstone(db: Database, customerId: string): Promise<TombstoneRow> {
  const [row] = await db
    .insert(customerTombstones)
    .values({ customerId, status: 'erasing' })
    .onConflictDoUpdate({
      target: customerTombstones.customerId,
      set: {
        status: 'erasing',
        requestedAt: sql`now()`,
        erasedAt: null,
        releasedAt: null,
        rounds: 0,
        erasedRows: null,
        historiesDeleted: 0,
        updatedAt: sql`now()`,
      },
      // Only a released tombstone starts over; a standing one is left as it is.
      setWhere: sql`${customerTombstones.releasedAt} is not null`,
    })
    .returning();
  return row ?? (await requireTombstone(db, customerId));
}

async function requireTombstone(db: Database, customerId: string): Promise<TombstoneRow> {
  const row = await readTombstone(db, customerId);
  if (!row) throw new Error('tombstone removed while it was being written');
  return row;
}

export async function readTombstone(
  db: Database,
  customerId: string,
): Promise<TombstoneRow | null> {
  const [row] = await db
    .select()
    .from(customerTombstones)
    .where(eq(customerTombstones.customerId, customerId))
    .limit(1);
  return row ?? null;
}

/** A tombstone that refuses the id: erasing or erased, and not released by a new opt-in. */
export async function standingTombstone(
  db: Database,
  customerId: string,
): Promise<TombstoneRow | null> {
  const row = await readTombstone(db, customerId);
  return row && row.releasedAt === null ? row : null;
}

/** Of these ids, those with a standing tombstone: one statement for a whole chunk of a file. */
export async function standingTombstoneIds(db: Database, customerIds: string[]): Promise<string[]> {
  const rows = await db
    .select({ id: customerTombstones.customerId })
    .from(customerTombstones)
    .where(
      and(
        sql`${customerTombstones.customerId} = any(${sql.param([...new Set(customerIds)])})`,
        isNull(customerTombstones.releasedAt),
      ),
    );
  return rows.map((row) => row.id);
}

/** What the erasure did, counted: written with the last rows erased, in their transaction. */
export interface ErasureTotals {
  rounds: number;
  erasedRows: Record<string, number>;
  historiesDeleted: number;
}

export async function markErased(
  db: Database,
  customerId: string,
  totals: ErasureTotals,
): Promise<void> {
  await db
    .update(customerTombstones)
    .set({
      status: 'erased',
      erasedAt: sql`now()`,
      rounds: totals.rounds,
      erasedRows: totals.erasedRows,
      historiesDeleted: totals.historiesDeleted,
      updatedAt: sql`now()`,
    })
    .where(eq(customerTombstones.customerId, customerId));
}

/** Adds the histories a later sweep deleted to the count. */
export async function addHistoriesDeleted(
  db: Database,
  customerId: string,
  count: number,
): Promise<void> {
  if (count === 0) return;
  await db
    .update(customerTombstones)
    .set({
      historiesDeleted: sql`${customerTombstones.historiesDeleted} + ${count}`,
      updatedAt: sql`now()`,
    })
    .where(eq(customerTombstones.customerId, customerId));
}

/**
 * The person came back with a new opt-in: the erased id may hold a fresh profile. Only a finished
 * erasure is released (one in progress would erase the new profile with the old); false when
 * there was nothing to release.
 */
export async function releaseTombstone(db: Database, customerId: string): Promise<boolean> {
  const released = await db
    .update(customerTombstones)
    .set({ releasedAt: sql`now()`, updatedAt: sql`now()` })
    .where(
      and(
        eq(customerTombstones.customerId, customerId),
        eq(customerTombstones.status, 'erased'),
        isNull(customerTombstones.releasedAt),
      ),
    )
    .returning({ customerId: customerTombstones.customerId });
  return released.length > 0;
}
