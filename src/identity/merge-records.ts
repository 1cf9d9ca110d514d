import { desc, eq, or } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerMerges } from '../db/schema';

export type MergeRow = typeof customerMerges.$inferSelect;

/** The merges a customer took part in, either side, newest first. */
export function mergesOf(db: Database, customerId: string, limit = 100): Promise<MergeRow[]> {
  return db
    .select()
    .from(customerMerges)
    .where(
      or(
        eq(customerMerges.fromCustomerId, customerId),
        eq(customerMerges.intoCustomerId, customerId),
      ),
    )
    .orderBy(desc(customerMerges.createdAt))
    .limit(limit);
}

export async function findMerge(db: Database, mergeId: string): Promise<MergeRow | null> {
  const [row] = await db
    .select()
    .from(customerMerges)
    .where(eq(customerMerges.id, mergeId))
    .limit(1);
  return row ?? null;
}
