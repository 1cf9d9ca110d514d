import type { Database } from '../db/database';
import { loadTrackedDelivery, type TrackedDelivery } from '../deliveries/tracked-delivery';
import type { JsonObject } from '../journeys/run-types';
import type { OutboxSignal } from '../routing/outbox-signal';
import { recordEvents, type IncomingEvent } from '../routing/record-events';
import { isMachineEngagement, type EngagementFlags } from './machine-engagement';

export type EngagementType = 'email_opened' | 'email_clicked' | 'sms_clicked';

export interface EngagementDeps {
  db: Database;
  /** Wakes the router once the event is stored. */
  outboxSignal?: OutboxSignal;
  /** Store machine opens and bot clicks (flagged) but do not signal them to runs. */
  excludeMachineEngagement?: boolean;
}

export interface Engagement {
  deliveryId: string;
  type: EngagementType;
  linkIndex?: number;
  flags: EngagementFlags;
  occurredAt: Date;
  /** The delivery, when the caller has already read it (saves a query). */
  delivery?: TrackedDelivery;
}

export type EngagementOutcome =
  | { recorded: false; reason: 'unknown_delivery' }
  | {
      recorded: true;
      eventId: string;
      /** The same open within its minute, or click within its second, was stored before. */
      duplicate: boolean;
      /** Not signalled to runs: flagged as machine engagement and excluded by configuration. */
      excluded: boolean;
    };

/**
 * Stores an open or click as an event linked to its delivery, for the router to deliver — to the
 * run that sent the delivery only (see routeEvent) and to journeys it triggers. The event id is derived
 * from the engagement, so a burst of pixel loads (mail clients reload images) is one open per
 * minute and a double click one click per second. Machine engagement gets an id of its own, so a
 * proxy's prefetch never hides the customer's real open in the same minute.
 */
export async function recordEngagement(
  deps: EngagementDeps,
  engagement: Engagement,
): Promise<EngagementOutcome> {
  const delivery =
    engagement.delivery ?? (await loadTrackedDelivery(deps.db, engagement.deliveryId));
  if (!delivery || delivery.id !== engagement.deliveryId) {
    return { recorded: false, reason: 'unknown_delivery' };
  }
  const excluded = deps.excludeMachineEngagement === true && isMachineEngagement(engagement.flags);
  // Excluded engagement stays in the events table (reports and the timeline see it, flagged) but
  // leaves the outbox as it enters it, so the router never signals it.
  const event = {
    ...engagementEvent(engagement, delivery),
    ...(excluded ? { notRouted: true } : {}),
  };
  const [stored] = await recordEvents(deps.db, [event], { source: 'tracking' });
  if (!stored) throw new Error('engagement event was not stored');
  if (!stored.duplicate && !excluded) deps.outboxSignal?.notify();
  return { recorded: true, eventId: stored.id, excluded, duplicate: stored.duplicate };
}

function engagementEvent(engagement: Engagement, delivery: TrackedDelivery): IncomingEvent {
  const { linkIndex } = engagement;
  const properties: JsonObject = {
    deliveryId: delivery.id,
    journeyId: delivery.journeyId,
    stepId: delivery.stepId,
    channel: delivery.channel,
    ...(linkIndex !== undefined ? { linkIndex } : {}),
  };
  return {
    id: engagementEventId(engagement),
    customerId: delivery.customerId,
    type: engagement.type,
    occurredAt: engagement.occurredAt.toISOString(),
    properties,
    deliveryId: delivery.id,
    flags: { ...engagement.flags },
  };
}

/** open:<delivery>:<minute>, click:<delivery>:<link>:<second>, sms_click:…; ":machine" if flagged. */
export function engagementEventId(engagement: Omit<Engagement, 'delivery'>): string {
  const ms = engagement.occurredAt.getTime();
  const machine = isMachineEngagement(engagement.flags) ? ':machine' : '';
  if (engagement.type === 'email_opened') {
    return `open:${engagement.deliveryId}:${Math.floor(ms / 60_000)}${machine}`;
  }
  const prefix = engagement.type === 'email_clicked' ? 'click' : 'sms_click';
  const second = Math.floor(ms / 1_000);
  return `${prefix}:${engagement.deliveryId}:${engagement.linkIndex ?? 0}:${second}${machine}`;
}
