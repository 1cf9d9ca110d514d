import { deliveries, type DeliveryStatus } from '../db/schema';
import type { SendOutcome } from '../journeys/run-types';

/** One message of one step visit, as the ledger records it. */
export type DeliveryRow = typeof deliveries.$inferSelect;
export type { DeliveryStatus };

/** Recorded when a retry finds a send that may or may not have reached the provider. */
export const OUTCOME_UNKNOWN = 'outcome_unknown_after_interrupted_send';

/**
 * A claimed message that may have reached the customer. 'unknown' counts because the provider may
 * have taken it; failed and skipped ones never left, pending ones are not claimed yet.
 */
export const COUNTED_STATUSES: DeliveryStatus[] = ['sending', 'sent', 'unknown'];

/** The outcome a finished row records; null while the delivery is still pending or sending. */
export function recordedOutcome(row: DeliveryRow): SendOutcome | null {
  switch (row.status) {
    case 'sent':
      return { status: 'sent', deliveryId: row.id };
    case 'skipped':
      return { status: 'skipped', deliveryId: row.id, reason: row.reason ?? 'skipped' };
    case 'failed':
      return { status: 'failed', deliveryId: row.id, reason: row.reason ?? 'failed' };
    case 'unknown':
      return { status: 'failed', deliveryId: row.id, reason: row.reason ?? OUTCOME_UNKNOWN };
    case 'pending':
    case 'sending':
      return null;
  }
}
