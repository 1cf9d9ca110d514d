import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerIdentifiers } from '../db/schema';
import type { IdentifierKey } from './identifiers';

export type IdentifierRow = typeof customerIdentifiers.$inferSelect;

/** The stored identifiers among these keys, with the customer each points at. */
export async function findIdentifiers(
  db: Database,
  keys: IdentifierKey[],
): Promise<(IdentifierKey & { customerId: string })[]> {
  if (keys.length === 0) return [];
  return db
    .select({
      type: customerIdentifiers.type,
      value: customerIdentifiers.value,
      customerId: customerIdentifiers.customerId,
    })
    .from(customerIdentifiers)
    .where(keysIn(keys));
}

/** (type, value) is one of these keys: two array parameters, one statement text for any count. */
function keysIn(keys: IdentifierKey[]) {
  const types = sql.param(keys.map((k) => k.type));
  const values = sql.param(keys.map((k) => k.value));
  return sql`(${customerIdentifiers.type}, ${customerIdentifiers.value}) in
    (select * from unnest(${types}::text[], ${values}::text[]))`;
}

/** Every identifier of a customer, oldest first. */
export async function identifiersOf(db: Database, customerId: string): Promise<IdentifierRow[]> {
  return db
    .select()
    .from(customerIdentifiers)
    .where(eq(customerIdentifiers.customerId, customerId))
    .orderBy(customerIdentifiers.firstSeen, customerIdentifiers.type);
}

/** Adds identifiers to a customer; a key stored meanwhile (for anyone) is left as it is. */
export async function addIdentifiers(
  db: Database,
  customerId: string,
  keys: IdentifierKey[],
  options: { source?: string; now: Date },
): Promise<void> {
  if (keys.length === 0) return;
  await db
    .insert(customerIdentifiers)
    .values(
      keys.map((key) => ({
        ...key,
        customerId,
        source: options.source ?? null,
        firstSeen: options.now,
      })),
    )
    .onConflictDoNothing();
}

/** Moves every identifier of `from` to `into`; the keys moved, for an unmerge. */
export async function moveIdentifiers(
  db: Database,
  from: string,
  into: string,
): Promise<IdentifierKey[]> {
  return db
    .update(customerIdentifiers)
    .set({ customerId: into })
    .where(eq(customerIdentifiers.customerId, from))
    .returning({ type: customerIdentifiers.type, value: customerIdentifiers.value });
}

/** Gives these identifiers back to `to` (an unmerge), wherever they point now. */
export async function returnIdentifiers(
  db: Database,
  keys: IdentifierKey[],
  to: string,
): Promise<void> {
  if (keys.length === 0) return;
  await db.update(customerIdentifiers).set({ customerId: to }).where(keysIn(keys));
}

/** Deletes a customer's identifiers (erasure); the number deleted. */
export async function eraseIdentifiers(db: Database, customerId: string): Promise<number> {
  const rows = await db
    .delete(customerIdentifiers)
    .where(eq(customerIdentifiers.customerId, customerId))
    .returning({ type: customerIdentifiers.type });
  return rows.length;
}
