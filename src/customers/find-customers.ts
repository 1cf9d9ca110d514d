import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers } from '../db/schema';

/**
 * Which of these ids name a stored customer. One array parameter: one statement text (prepared
 * once per connection) for a batch of any size, where `in ($1, …, $n)` would be one per size.
 */
export async function existingCustomerIds(db: Database, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: customers.id })
    .from(customers)
    .where(sql`${customers.id} = any(${sql.param([...new Set(ids)])})`);
  return new Set(rows.map((row) => row.id));
}

/**
 * The customers who have this email address (compared as suppressions store it: trimmed and
 * lower-cased, since emails are stored as given) or this E.164 phone number.
 */
export async function customersWithAddress(
  db: Database,
  channel: 'email' | 'sms',
  address: string,
): Promise<string[]> {
  const match =
    channel === 'email'
      ? sql`lower(btrim(${customers.email})) = ${address}`
      : eq(customers.phone, address);
  const rows = await db.select({ id: customers.id }).from(customers).where(match);
  return rows.map((row) => row.id);
}
