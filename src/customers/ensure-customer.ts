import { customers } from '../db/schema';
import type { Database } from '../db/database';

/**
 * Creates a bare customer unless it exists (src/identity creates the customer an identifier
 * resolves to). Says whether this call created it; an existing row is left untouched.
 */
export async function ensureCustomer(db: Database, id: string, source?: string): Promise<boolean> {
  const inserted = await db
    .insert(customers)
    .values({ id, sources: source ? [source] : [] })
    .onConflictDoNothing()
    .returning({ id: customers.id });
  return inserted.length > 0;
}
