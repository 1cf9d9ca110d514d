import { and, desc, eq, gt, inArray } from 'drizzle-orm';
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

const LOOKBACK_MS = 90 * 86_400_000;
const LIMIT = 200;

/** When the customer engaged in the last 90 days (newest first, at most 200): for best-hour waits. */
export function createEngagementActivities(db: Database, clock: () => Date) {
  return {
    loadEngagementTimes: async (customerId: string): Promise<number[]> => {
      const since = new Date(clock().getTime() - LOOKBACK_MS);
      const rows = await db
        .select({ occurredAt: events.occurredAt })
        .from(events)
        .where(
          and(
            eq(events.customerId, customerId),
            inArray(events.type, ENGAGEMENT_EVENT_TYPES),
            gt(events.occurredAt, since),
          ),
        )
        .orderBy(desc(events.occurredAt))
        .limit(LIMIT);
      return rows.map((row) => row.occurredAt.getTime());
    },
  };
}
