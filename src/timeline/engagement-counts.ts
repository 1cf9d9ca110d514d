import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { events } from '../db/schema';
import type { EngagementCounts } from './timeline-facts';

const OPEN_TYPES = new Set(['email_opened', 'push_opened', 'in_app_read']);
const CLICK_TYPES = new Set(['email_clicked', 'sms_clicked']);

export const NO_ENGAGEMENT: EngagementCounts = { opens: 0, clicks: 0, flagged: 0 };

/**
 * Opens and clicks per delivery, over all time (not only the requested window), so a delivery
 * says how it was received even when its opens fall on a later page.
 */
export async function engagementCounts(
  db: Database,
  deliveryIds: string[],
): Promise<Map<string, EngagementCounts>> {
  const counts = new Map<string, EngagementCounts>();
  if (deliveryIds.length === 0) return counts;
  // Privacy-proxy opens and bot clicks are flagged at ingestion; they are not engagement.
  const flagged = sql<boolean>`coalesce(${events.flags}->>'machineOpen' = 'true' or ${events.flags}->>'bot' = 'true', false)`;
  const rows = await db
    .select({
      deliveryId: events.deliveryId,
      type: events.type,
      flagged,
      count: sql<number>`count(*)::int`,
    })
    .from(events)
    .where(inArray(events.deliveryId, deliveryIds))
    .groupBy(events.deliveryId, events.type, flagged);
  for (const row of rows) {
    const kind = OPEN_TYPES.has(row.type) ? 'opens' : CLICK_TYPES.has(row.type) ? 'clicks' : null;
    if (!row.deliveryId || !kind) continue;
    const entry = counts.get(row.deliveryId) ?? { ...NO_ENGAGEMENT };
    if (row.flagged) entry.flagged += row.count;
    else entry[kind] += row.count;
    counts.set(row.deliveryId, entry);
  }
  return counts;
}
