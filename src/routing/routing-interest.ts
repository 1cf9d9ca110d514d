import { sql } from 'drizzle-orm';
import type { ActiveJourney } from '../catalogue/active-journeys';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import type { RunRow } from './run-registry';

/** A running run an event is to be signalled to: what signalling and reconciling it need. */
export type ListeningRun = Pick<RunRow, 'id' | 'workflowId' | 'temporalRunId' | 'triggerEventId'>;

/** What one event concerns: the journeys its type triggers and the runs that listen to it. */
export interface EventInterest {
  triggers: ActiveJourney[];
  runs: ListeningRun[];
}

interface InterestRow {
  triggers: unknown;
  runs: unknown;
}

/**
 * For a batch of stored events, in ONE statement: every active journey triggered by one of their
 * types (each once, with its active version's definition) and every running run of the same
 * customer that listens to an event's type. An event naming a delivery (an open, a click) goes
 * only to the run that sent it; a delivery the ledger does not know matches no run (fail closed).
 * Events absent from the result concern no journey.
 */
export async function findRoutingInterest(
  db: Database,
  batch: { id: string; type: string }[],
): Promise<Map<string, EventInterest>> {
  const interest = new Map<string, EventInterest>();
  if (batch.length === 0) return interest;
  const ids = sql.join(
    batch.map((e) => sql`${e.id}`),
    sql`, `,
  );
  const types = sql.join(
    [...new Set(batch.map((e) => e.type))].map((t) => sql`${t}`),
    sql`, `,
  );
  const result = await db.execute(sql`
    select
      (select coalesce(json_agg(json_build_object(
          'journeyId', j.id, 'version', j.active_version, 'type', j.trigger_event,
          'definition', v.definition) order by j.id), '[]'::json)
        from journeys j
        join journey_versions v on v.journey_id = j.id and v.version = j.active_version
        where j.status = 'active' and j.trigger_event in (${types})) as triggers,
      (select coalesce(json_agg(json_build_object(
          'eventId', b.id, 'id', r.id, 'workflowId', r.workflow_id,
          'temporalRunId', r.temporal_run_id, 'triggerEventId', r.trigger_event_id)
          order by b.seq, r.started_at), '[]'::json)
        from events b
        left join deliveries d on d.id = b.delivery_id
        join journey_runs r on r.customer_id = b.customer_id
          and r.status = 'running'
          and r.listens_to @> array[b.type]
          and (b.delivery_id is null or r.workflow_id = d.workflow_id)
        where b.id in (${ids})) as runs`);
  const row = rowsOf<InterestRow>(result)[0];
  const triggers = parsed<(ActiveJourney & { type: string })[]>(row?.triggers);
  const runs = parsed<(ListeningRun & { eventId: string })[]>(row?.runs);
  const byType = new Map<string, ActiveJourney[]>();
  for (const { type, journeyId, version, definition } of triggers) {
    const list = byType.get(type) ?? [];
    list.push({ journeyId, version, definition: definition });
    byType.set(type, list);
  }
  for (const event of batch) {
    const found = byType.get(event.type);
    if (found) interest.set(event.id, { triggers: found, runs: [] });
  }
  for (const { eventId, ...run } of runs) {
    const entry = interest.get(eventId) ?? { triggers: [], runs: [] };
    entry.runs.push(run);
    interest.set(eventId, entry);
  }
  return interest;
}

// postgres.js answers an array of rows, PGlite an object with `rows`.
function parsed<T>(value: unknown): T {
  if (typeof value === 'string') return JSON.parse(value) as T;
  return (value ?? []) as T;
}
