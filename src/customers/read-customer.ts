import { eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers } from '../db/schema';

export type CustomerRow = typeof customers.$inferSelect;

/** Reads the customer now; never cached, so consent and contact data are as of this moment. */
export async function readCustomer(db: Database, customerId: string): Promise<CustomerRow | null> {
  const rows = await db.select().from(customers).where(eq(customers.id, customerId)).limit(1);
  return rows[0] ?? null;
}
