import { storeEvents } from '../routing/ingest';
import { routeInline, type OutboxDeps } from '../routing/outbox';
import type { InboxMessageRow } from './inbox-messages';

/** The event a first read stores, so journeys can wait for it (waitForEvent in_app_read). */
export const IN_APP_READ_EVENT = 'in_app_read';

/**
 * Stores the read as an event (id inapp:<messageId>:read, so repeating it stores nothing new) and
 * routes it like POST /v1/events. It names the delivery, so it goes to the run that sent the
 * message and counts as engagement with it.
 */
export async function recordReadEvent(
  deps: OutboxDeps,
  message: InboxMessageRow,
  options: { now: Date; leaseMs: number },
): Promise<void> {
  const stored = await storeEvents(
    deps.db,
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
    { now: options.now, leaseMs: options.leaseMs, source: 'inbox' },
  );
  await routeInline(
    deps,
    stored.flatMap((s) => (s.event ? [s.event] : [])),
  );
}
