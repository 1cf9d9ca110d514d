import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerRedirects } from '../db/schema';

/**
 * Points `from` at `into`, and every customer that pointed at `from` at `into` too (redirects
 * stay flat: one lookup finds the last survivor). The ids re-pointed, for an unmerge.
 */
export async function addRedirect(
  db: Database,
  from: string,
  into: string,
  mergeId: string,
): Promise<string[]> {
  const repointed = await db
    .update(customerRedirects)
    .set({ survivorId: into })
    .where(eq(customerRedirects.survivorId, from))
    .returning({ id: customerRedirects.customerId });
  await db.insert(customerRedirects).values({ customerId: from, survivorId: into, mergeId });
  return repointed.map((row) => row.id);
}

/** Undoes addRedirect: `from` stands for itself again, and the re-pointed ids point at it. */
export async function removeRedirect(
  db: Database,
  from: string,
  repointed: string[],
): Promise<void> {
  await db.delete(customerRedirects).where(eq(customerRedirects.customerId, from));
  if (repointed.length === 0) return;
  await db
    .update(customerRedirects)
    .set({ survivorId: from })
    .where(sql`${customerRedirects.customerId} = any(${sql.param(repointed)})`);
}

/** Deletes the redirects from and to a customer (erasure); the number deleted. */
export async function eraseRedirects(db: Database, customerId: string): Promise<number> {
  const rows = await db
    .delete(customerRedirects)
    .where(
      sql`${customerRedirects.customerId} = ${customerId} or ${customerRedirects.survivorId} = ${customerId}`,
    )
    .returning({ id: customerRedirects.customerId });
  return rows.length;
}
