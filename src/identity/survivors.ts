import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerRedirects } from '../db/schema';

/**
 * Of these customer ids, the ones merged away, each with the customer that survived it (the last
 * survivor: redirects are kept flat). Ids that were never merged are absent from the map.
 */
export async function survivorOf(
  db: Database,
  customerIds: string[],
): Promise<Map<string, string>> {
  const ids = [...new Set(customerIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: customerRedirects.customerId, survivor: customerRedirects.survivorId })
    .from(customerRedirects)
    .where(sql`${customerRedirects.customerId} = any(${sql.param(ids)})`);
  return new Map(rows.map((row) => [row.id, row.survivor]));
}

/** The customers merged into this one (each redirects to it: redirects are kept flat). */
export async function mergedInto(db: Database, survivorId: string): Promise<string[]> {
  const rows = await db
    .select({ id: customerRedirects.customerId })
    .from(customerRedirects)
    .where(sql`${customerRedirects.survivorId} = ${survivorId}`)
    .orderBy(customerRedirects.customerId);
  return rows.map((row) => row.id);
}

/** The customer that stands for this id now: its survivor, or itself. */
export async function currentCustomerId(db: Database, customerId: string): Promise<string> {
  return (await survivorOf(db, [customerId])).get(customerId) ?? customerId;
}
