import { eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers } from '../db/schema';

/**
 * The customer's contact identifiers as the profile holds them, for their erasure's tombstone
 * (src/privacy keeps them only hashed); null when there is no such customer.
 */
export async function customerContacts(
  db: Database,
  customerId: string,
): Promise<{ email: string | null; phone: string | null } | null> {
  const [row] = await db
    .select({ email: customers.email, phone: customers.phone })
    .from(customers)
    .where(eq(customers.id, customerId))
    .limit(1);
  return row ?? null;
}

/**
 * Deletes the profile: email, phone, attributes and consent with it. Last of an erasure: every
 * table that refers to the customer must have let go of them first, and its foreign keys refuse
 * the delete if one has not (so a table the erasure forgot can never keep a dangling customer).
 */
export async function deleteCustomerRow(db: Database, customerId: string): Promise<number> {
  const deleted = await db
    .delete(customers)
    .where(eq(customers.id, customerId))
    .returning({ id: customers.id });
  return deleted.length;
}
