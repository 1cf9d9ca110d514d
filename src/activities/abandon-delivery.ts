import type { SendOutcome } from '../journeys/run-types';
import type { Database } from '../db/database';
import { deliveryIdFor, readDelivery, recordedOutcome, transition } from './delivery-ledger';

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
    const row = await readDelivery(db, request.deliveryKey).catch(() => null);
    if (!row) return { status: 'failed', deliveryId, reason: request.reason };
    const failed = await transition(db, row.id, ['pending'], {
      status: 'failed',
      reason: request.reason,
    });
    if (failed) return { status: 'failed', deliveryId, reason: request.reason };
    const current = await readDelivery(db, request.deliveryKey);
    return recordedOutcome(current) ?? { status: 'failed', deliveryId, reason: request.reason };
  };
}
