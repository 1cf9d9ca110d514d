import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { HISTORY_LIMIT_PER_TYPE } from '../journeys/trigger-rule';
import type { JourneyEvent, JsonObject } from '../journeys/run-types';

export interface TriggerHistoryRequest {
  customerId: string;
  types: readonly string[];
  /** Epoch ms: events that happened from then on. */
  since: number;
}

interface HistoryRow {
  id: string;
  type: string;
  occurred_at: string | Date;
  properties: JsonObject | string;
}

/**
 * The customer's events a behavioural trigger looks at (trigger-rule.ts): of each type, the
 * newest that happened since `since`, at most HISTORY_LIMIT_PER_TYPE, one index range per type
 * (events_customer_type_time_idx). Human events only: a privacy proxy's open or a scanner's
 * click neither counts nor vetoes. Stored events: what the API accepted is here at once, routed
 * or not.
 */
export async function loadTriggerHistory(
  db: Database,
  request: TriggerHistoryRequest,
): Promise<JourneyEvent[]> {
  if (request.types.length === 0) return [];
  const result = await db.execute(sql`
    select e.id, e.type, e.occurred_at, e.properties
      from unnest(${sql.param([...new Set(request.types)])}::text[]) as t(type)
      cross join lateral (
        select id, type, occurred_at, properties from events
         where customer_id = ${request.customerId} and type = t.type
           and occurred_at >= ${new Date(request.since).toISOString()}::timestamptz
           and not coalesce(flags -> 'machineOpen' = 'true'::jsonb, false)
           and not coalesce(flags -> 'bot' = 'true'::jsonb, false)
         order by occurred_at desc
         limit ${HISTORY_LIMIT_PER_TYPE}) as e`);
  return rowsOf<HistoryRow>(result).map((row) => ({
    id: row.id,
    type: row.type,
    customerId: request.customerId,
    occurredAt: new Date(row.occurred_at).toISOString(),
    properties:
      typeof row.properties === 'string'
        ? (JSON.parse(row.properties) as JsonObject)
        : row.properties,
  }));
}
