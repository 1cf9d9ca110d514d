import type { Database } from '../db/database';
import { deliveryOwners } from '../deliveries/delivery-owners';

/**
 * The positions of events that name a delivery which is not their own customer's (or does not
 * exist). An event may only speak about its customer's messages: a click must never move another
 * customer's run, so such a batch is refused before anything is stored.
 */
export async function eventsNamingForeignDeliveries(
  db: Database,
  items: { customerId: string; deliveryId?: string }[],
): Promise<number[]> {
  const named = items.flatMap((item, index) =>
    item.deliveryId ? [{ deliveryId: item.deliveryId, customerId: item.customerId, index }] : [],
  );
  if (named.length === 0) return [];
  const owner = await deliveryOwners(
    db,
    named.map((item) => item.deliveryId),
  );
  return named
    .filter((item) => owner.get(item.deliveryId) !== item.customerId)
    .map((item) => item.index);
}
