import { count, desc, eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries } from '../db/schema';
import type { DeliveryRow } from './delivery-row';

/**
 * Deliveries whose provider side is unknown: an attempt claimed the message and its worker died
 * before it recorded the provider's answer, and the step's onUnknown was skip. An operator may
 * check the provider's logs for them. Newest first; served by a partial index.
 */
export function listUnknownDeliveries(db: Database, limit: number): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(deliveries)
    .where(eq(deliveries.status, 'unknown'))
    .orderBy(desc(deliveries.updatedAt))
    .limit(limit);
}

export async function countUnknownDeliveries(db: Database): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(deliveries)
    .where(eq(deliveries.status, 'unknown'));
  return row?.n ?? 0;
}
