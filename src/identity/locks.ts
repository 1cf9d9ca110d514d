import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';

/**
 * Transaction-scoped advisory locks on names, taken in sorted order so two transactions that
 * want overlapping sets never deadlock. Two requests resolving the same new identifier queue
 * here: the second sees the first's rows once it commits, instead of inserting a second customer.
 */
export async function lockNames(tx: Database, names: string[]): Promise<void> {
  for (const name of [...new Set(names)].sort()) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${name}, 0))`);
  }
}

export const identifierLockName = (type: string, value: string) =>
  `cairn.identity:${type}:${value}`;
export const customerLockName = (customerId: string) => `cairn.identity.customer:${customerId}`;
