import { and, asc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import { SEGMENT_ENTERED, SEGMENT_EXITED } from '../audience/dependencies';
import type { TimelineItem } from '../contract/timeline';
import type { Database } from '../db/database';
import { events } from '../db/schema';
import type { JsonObject } from '../journeys/run-types';
import { LIFECYCLE_CHANGED } from '../lifecycle/stages';
import { SCORE_CHANGED } from '../scores';

/**
 * Segment entries and exits, lifecycle stage moves and RFM cell changes, as readable timeline
 * items instead of bare events: the segment and version, the stages from and to, or the cells
 * from and to. These events are Cairn's own (the router and the RFM recompute write them), so
 * their properties are ids and numbers, never personal data.
 */

export const AUDIENCE_CHANGE_TYPES = [
  SEGMENT_ENTERED,
  SEGMENT_EXITED,
  LIFECYCLE_CHANGED,
  SCORE_CHANGED,
];

export interface AudienceChangeFact {
  eventId: string;
  type: string;
  occurredAt: number;
  receivedAt: number;
  properties: JsonObject;
}

/** The customer's audience changes in the window, oldest first, at most `take`. */
export async function loadAudienceChanges(
  db: Database,
  customerId: string,
  request: { since: Date | null; until: Date | null },
  take: number,
): Promise<AudienceChangeFact[]> {
  const window: SQL[] = [];
  if (request.since) window.push(gte(events.occurredAt, request.since));
  if (request.until) window.push(lt(events.occurredAt, request.until));
  const rows = await db
    .select({
      id: events.id,
      type: events.type,
      occurredAt: events.occurredAt,
      receivedAt: events.receivedAt,
      properties: events.properties,
    })
    .from(events)
    .where(
      and(
        eq(events.customerId, customerId),
        inArray(events.type, AUDIENCE_CHANGE_TYPES),
        ...window,
      ),
    )
    .orderBy(asc(events.occurredAt), asc(events.receivedAt), asc(events.id))
    .limit(take);
  return rows.map((row) => ({
    eventId: row.id,
    type: row.type,
    occurredAt: row.occurredAt.getTime(),
    receivedAt: row.receivedAt.getTime(),
    properties: row.properties,
  }));
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The readable item for one audience change (pure). */
export function audienceChangeItem(fact: AudienceChangeFact): TimelineItem {
  const at = new Date(fact.occurredAt).toISOString();
  if (fact.type === LIFECYCLE_CHANGED) {
    return {
      kind: 'lifecycle_stage',
      at,
      eventId: fact.eventId,
      from: text(fact.properties.from),
      to: text(fact.properties.to),
    };
  }
  if (fact.type === SCORE_CHANGED) return scoreChangeItem(fact, at);
  const version = fact.properties.segment_version;
  return {
    kind: 'segment',
    at,
    eventId: fact.eventId,
    change: fact.type === SEGMENT_ENTERED ? 'entered' : 'exited',
    segmentId: text(fact.properties.segment_id) ?? '',
    version: typeof version === 'number' && Number.isInteger(version) ? version : null,
  };
}

const number = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** A recompute moved the customer's cell: the change of the value is what it added. */
function scoreChangeItem(fact: AudienceChangeFact, at: string): TimelineItem {
  return {
    kind: 'score_changed',
    at,
    scoreId: text(fact.properties.score_id) ?? '',
    eventId: fact.eventId,
    eventType: fact.type,
    points: (number(fact.properties.value) ?? 0) - (number(fact.properties.previous_value) ?? 0),
    from: text(fact.properties.from),
    to: text(fact.properties.to),
  };
}
