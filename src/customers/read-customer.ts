import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers } from '../db/schema';
import { currentIdSql } from './redirect-sql';

export type CustomerRow = typeof customers.$inferSelect;

/**
 * Reads the customer now; never cached, so consent and contact data are as of this moment. A
 * customer merged away (src/identity) reads as its survivor: the row answered has the survivor's id.
 */
export async function readCustomer(db: Database, customerId: string): Promise<CustomerRow | null> {
  const rows = await db
    .select()
    .from(customers)
    .where(eq(customers.id, currentIdSql(sql`${customerId}::text`)))
    .limit(1);
  return rows[0] ?? null;
}
