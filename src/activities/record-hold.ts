import type { Database } from '../db/database';
import { deliveryIdFor } from '../deliveries/delivery-id';
import { recordHold } from '../deliveries/ledger';
import type { HeldMessage } from '../journeys/run-types';
import { invalidRequest } from './failures';

export interface HoldRequest extends Omit<HeldMessage, 'visit' | 'messageKey'> {
  /** The key the message will be sent under (src/workflows/journey.ts, deliveryKeyOf). */
  deliveryKey: string;
  customerId: string;
  journeyId: string;
  journeyVersion: number;
  workflowId: string;
  /** When the wait ends (ISO 8601). */
  until: string;
}

/**
 * Records on the ledger that a message is held back (quiet hours) until a time: the row the send
 * will use, pending with the reason. Idempotent; a customer who no longer exists records nothing.
 */
export function createRecordHold(db: Database) {
  return async function recordHeldDelivery(request: HoldRequest): Promise<{ recorded: boolean }> {
    const until = new Date(request.until);
    if (Number.isNaN(until.getTime())) {
      throw invalidRequest('recordHeldDelivery', 'until must be an ISO 8601 time');
    }
    const recorded = await recordHold(
      db,
      {
        deliveryKey: request.deliveryKey,
        customerId: request.customerId,
        journeyId: request.journeyId,
        journeyVersion: request.journeyVersion,
        workflowId: request.workflowId,
        stepId: request.stepId,
        channel: request.channel,
        messageKind: request.messageKind,
      },
      deliveryIdFor(request.deliveryKey),
      { reason: request.reason, until },
    );
    return { recorded };
  };
}
