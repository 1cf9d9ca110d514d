import type { SendOutcome } from '../journeys/run-types';
import type { Database } from '../db/database';
import { deliveryIdFor } from '../deliveries/delivery-id';
import { recordedOutcome } from '../deliveries/delivery-row';
import { findDeliveryByKey, readDelivery, recordAbandoned } from '../deliveries/ledger';

export interface AbandonDeliveryRequest {
  deliveryKey: string;
  /** Machine-readable, e.g. send_retries_exhausted:ProviderTransient. */
  reason: string;
}

/**
 * Records that the journey stopped retrying a send (the provider stayed down past the retry
 * limit), so the ledger answers "why didn't this go out". Only a row still waiting to be sent
 * changes; one that was sent, or whose outcome is unknown, keeps what it recorded.
 */
export function createAbandonDelivery(db: Database) {
  return async function abandonDelivery(request: AbandonDeliveryRequest): Promise<SendOutcome> {
    const deliveryId = deliveryIdFor(request.deliveryKey);
    const row = await findDeliveryByKey(db, request.deliveryKey);
    if (!row) return { status: 'failed', deliveryId, reason: request.reason };
    const failed = await recordAbandoned(db, row.id, request.reason);
    if (failed) return { status: 'failed', deliveryId, reason: request.reason };
    const current = await readDelivery(db, request.deliveryKey);
    return recordedOutcome(current) ?? { status: 'failed', deliveryId, reason: request.reason };
  };
}
