import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerMerges } from '../db/schema';
import { eraseIdentifiers, identifiersOf } from './identifier-rows';
import { eraseRedirects } from './redirects';

/**
 * A customer's identity rows for their erasure (src/privacy composes it): their identifiers, the
 * merges they took part in (whose records hold what moved: consent and attributes) and the
 * redirects from and to them.
 */

/** The customer's email and phone identifiers in clear, for the tombstone's hashes. */
export async function contactIdentifiers(
  db: Database,
  customerId: string,
): Promise<{ kind: 'email' | 'phone'; value: string }[]> {
  const rows = await identifiersOf(db, customerId);
  return rows.flatMap((row) =>
    row.type === 'email' || row.type === 'phone' ? [{ kind: row.type, value: row.value }] : [],
  );
}

/** Deletes the customer's identity rows; the rows deleted per table. */
export async function eraseCustomerIdentity(
  db: Database,
  customerId: string,
): Promise<Record<string, number>> {
  const customer_identifiers = await eraseIdentifiers(db, customerId);
  const customer_redirects = await eraseRedirects(db, customerId);
  const merges = await db
    .delete(customerMerges)
    .where(
      sql`${customerMerges.fromCustomerId} = ${customerId} or ${eq(customerMerges.intoCustomerId, customerId)}`,
    )
    .returning({ id: customerMerges.id });
  return { customer_identifiers, customer_merges: merges.length, customer_redirects };
}
