import { and, eq, gte, inArray, lte } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries, events } from '../db/schema';
import type { DeliveredMessage } from './attribution';

/** Clicks that make a message the stronger touch; opens are too unreliable (machine opens). */
export const CLICK_EVENT_TYPES = ['email_clicked', 'sms_clicked'];

/** A sent message of a run, with what a conversion row records about it. */
export interface RunMessage extends DeliveredMessage {
  journeyId: string;
  journeyVersion: number;
  stepId: string;
  channel: string;
}

export interface RunMessagesQuery {
  customerId: string;
  journeyId: string;
  workflowId: string;
  /** Only messages sent in [from, to] (epoch ms), with their latest human click at or before `to`. */
  from: number;
  to: number;
}

/**
 * The run's messages that went out in the window. A workflow id is shared by the re-entries of one
 * journey, customer and key, so an earlier run's message inside the window counts too: it did
 * precede the goal. Clicks flagged as bots are not the customer's and are left out.
 */
export async function loadRunMessages(
  db: Database,
  query: RunMessagesQuery,
): Promise<RunMessage[]> {
  const rows = await db
    .select({
      deliveryId: deliveries.id,
      sentAt: deliveries.sentAt,
      journeyId: deliveries.journeyId,
      journeyVersion: deliveries.journeyVersion,
      stepId: deliveries.stepId,
      channel: deliveries.channel,
    })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.workflowId, query.workflowId),
        eq(deliveries.customerId, query.customerId),
        eq(deliveries.journeyId, query.journeyId),
        eq(deliveries.status, 'sent'),
        gte(deliveries.sentAt, new Date(query.from)),
        lte(deliveries.sentAt, new Date(query.to)),
      ),
    );
  const clicks = await loadClickTimes(db, query, rows);
  return rows.flatMap(({ sentAt, ...row }) => {
    if (!sentAt) return [];
    const clickedAt = clicks.get(row.deliveryId)?.filter((at) => at >= sentAt.getTime());
    const latest = clickedAt && clickedAt.length > 0 ? Math.max(...clickedAt) : undefined;
    return [
      { ...row, sentAt: sentAt.getTime(), ...(latest !== undefined ? { clickedAt: latest } : {}) },
    ];
  });
}

async function loadClickTimes(
  db: Database,
  query: RunMessagesQuery,
  messages: { deliveryId: string }[],
): Promise<Map<string, number[]>> {
  const clicks = new Map<string, number[]>();
  if (messages.length === 0) return clicks;
  const rows = await db
    .select({ deliveryId: events.deliveryId, occurredAt: events.occurredAt, flags: events.flags })
    .from(events)
    .where(
      and(
        eq(events.customerId, query.customerId),
        inArray(
          events.deliveryId,
          messages.map((m) => m.deliveryId),
        ),
        inArray(events.type, CLICK_EVENT_TYPES),
        lte(events.occurredAt, new Date(query.to)),
      ),
    );
  for (const row of rows) {
    if (!row.deliveryId || row.flags?.bot === true) continue;
    const times = clicks.get(row.deliveryId) ?? [];
    times.push(row.occurredAt.getTime());
    clicks.set(row.deliveryId, times);
  }
  return clicks;
}
