import { eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerLifecycle } from '../db/schema';

/** The customer's stored lifecycle stage and since when; null until it was first computed. */
export async function customerStage(
  db: Database,
  customerId: string,
): Promise<{ stage: string; since: Date } | null> {
  const [row] = await db
    .select({ stage: customerLifecycle.stage, since: customerLifecycle.since })
    .from(customerLifecycle)
    .where(eq(customerLifecycle.customerId, customerId));
  return row ?? null;
}
