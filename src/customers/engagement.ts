import { and, desc, eq, gt, inArray, max } from 'drizzle-orm';
import type { Database } from '../db/database';
import { events } from '../db/schema';

/** The events that say a customer was there and paying attention. */
export const ENGAGEMENT_EVENT_TYPES = [
  'email_opened',
  'email_clicked',
  'sms_clicked',
  'push_opened',
  'in_app_read',
];

/** When the customer last opened, clicked or read anything we sent, or null. */
export async function lastEngagement(db: Database, customerId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: max(events.occurredAt) })
    .from(events)
    .where(and(eq(events.customerId, customerId), inArray(events.type, ENGAGEMENT_EVENT_TYPES)));
  return row?.at ?? null;
}

const BEST_HOUR_LOOKBACK_MS = 90 * 86_400_000;
const BEST_HOUR_LIMIT = 200;

/** When the customer engaged in the last 90 days (newest first, at most 200): for best-hour waits. */
export async function engagementTimes(
  db: Database,
  customerId: string,
  now: Date,
): Promise<number[]> {
  const rows = await db
    .select({ occurredAt: events.occurredAt })
    .from(events)
    .where(
      and(
        eq(events.customerId, customerId),
        inArray(events.type, ENGAGEMENT_EVENT_TYPES),
        gt(events.occurredAt, new Date(now.getTime() - BEST_HOUR_LOOKBACK_MS)),
      ),
    )
    .orderBy(desc(events.occurredAt))
    .limit(BEST_HOUR_LIMIT);
  return rows.map((row) => row.occurredAt.getTime());
}
