import { desc, sql } from 'drizzle-orm';
import { personIdsSql } from '../customers/redirect-sql';
import type { Database } from '../db/database';
import { deliveries } from '../db/schema';
import type { DeliveryRow } from './delivery-row';

/**
 * A customer's deliveries, newest first: what GET /v1/customers/:id/deliveries lists. A run the
 * customer took over in a merge goes on recording under the merged-away id: those count too.
 */
export function listCustomerDeliveries(
  db: Database,
  customerId: string,
  limit: number,
): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(deliveries)
    .where(sql`${deliveries.customerId} = any(${personIdsSql(sql`${customerId}::text`)})`)
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(limit);
}
