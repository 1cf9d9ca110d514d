import type { Database } from '../db/database';
import { recordEvents } from '../routing/record-events';
import type { InboxMessageRow } from './inbox-messages';

/** The event a first read stores, so journeys can wait for it (waitForEvent in_app_read). */
export const IN_APP_READ_EVENT = 'in_app_read';

/**
 * Stores the read as an event (id inapp:<messageId>:read, so repeating it stores nothing new) for
 * the router to deliver like POST /v1/events. It names the delivery, so it goes to the run that
 * sent the message and counts as engagement with it. Returns whether it was newly stored (the
 * caller then wakes the router).
 */
export async function recordReadEvent(
  db: Database,
  message: InboxMessageRow,
  options: { now: Date },
): Promise<boolean> {
  const [stored] = await recordEvents(
    db,
    [
      {
        id: `inapp:${message.id}:read`,
        customerId: message.customerId,
        type: IN_APP_READ_EVENT,
        occurredAt: (message.readAt ?? options.now).toISOString(),
        properties: { messageId: message.id, deliveryId: message.deliveryId },
        deliveryId: message.deliveryId,
      },
    ],
    // The delivery is the message's own ledger row, not one a caller named.
    { now: options.now, source: 'inbox', checkDeliveries: false },
  );
  return stored !== undefined && !stored.duplicate;
}
