import { and, eq, inArray, max } from 'drizzle-orm';
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
