import { desc, eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries } from '../db/schema';
import type { DeliveryRow } from './delivery-row';

/** A customer's deliveries, newest first: what GET /v1/customers/:id/deliveries lists. */
export function listCustomerDeliveries(
  db: Database,
  customerId: string,
  limit: number,
): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(deliveries)
    .where(eq(deliveries.customerId, customerId))
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(limit);
}
