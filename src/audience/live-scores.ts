import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import type { JsonObject } from '../journeys/run-types';
import type { AudienceEvent, AudienceUpkeep } from '../routing/types';
import { decayingScores, pointsOf, type DecayingScore } from '../scores';
import { DAY_MS } from '../scores/decay';

export interface LiveScoresOptions {
  db: Database;
  clock?: () => Date;
  /** The decaying scores to keep; the built-ins when left out. */
  scores?: readonly DecayingScore[];
}

/** One event's points for one score, as the statement takes them. */
interface Counted {
  scoreId: string;
  version: number;
  decayPerDay: number;
  eventId: string;
  customerId: string;
  type: string;
  points: number;
  occurredAt: Date;
}

/**
 * Keeps decaying scores live, as a part of the router's audience pass (audience-upkeep.ts, before
 * segment membership, which may read scores). The points of each event are decided here by the
 * pure definition (src/scores); a batch with nothing any score weighs costs no statement, and
 * anything else is one statement for the whole batch (countContributions). Time passing needs no
 * work at all: the value decays when read.
 */
export function liveScores(options: LiveScoresOptions): AudienceUpkeep {
  const clock = options.clock ?? (() => new Date());
  const scores = options.scores ?? decayingScores();
  return {
    async forEvents(batch: readonly AudienceEvent[]): Promise<number> {
      const counted: Counted[] = [];
      for (const score of scores) {
        for (const event of batch) {
          if (!(event.type in score.weights)) continue;
          const properties = isObject(event.properties) ? event.properties : {};
          // Flags are read by the statement (machine opens and bots count nothing there).
          const points = pointsOf(score, { type: event.type, properties });
          if (points > 0) counted.push(countedOf(score, event, points));
        }
      }
      if (counted.length > 0) await countContributions(options.db, counted, clock());
      // Scores store no events of their own: nothing more for the router to route.
      return 0;
    },
    upkeep: () => Promise.resolve(0),
  };
}

function countedOf(score: DecayingScore, event: AudienceEvent, points: number): Counted {
  return {
    scoreId: score.id,
    version: score.version,
    decayPerDay: score.decayPerDay,
    eventId: event.id,
    customerId: event.customerId,
    type: event.type,
    points,
    occurredAt: event.occurredAt,
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One statement: the contributions not counted before (an event id already in
 * score_contributions adds nothing, so a batch delivered again changes nothing), each rebased to
 * the newest of its customer's new ones, then added to the stored (value, as_of) —
 *
 *   as_of' = greatest(as_of, newest)
 *   value' = value × r^((as_of' − as_of)/day) + Σ points × r^((as_of' − t)/day)
 *
 * the arithmetic of addContributions (src/scores/decay.ts), with t = least(occurred_at, now).
 * Returns the number of contributions added. Errors propagate: the router's pass fails and its
 * events are claimed again after their lease, so no contribution is lost.
 */
export async function countContributions(
  db: Database,
  counted: readonly Counted[],
  now: Date,
): Promise<number> {
  const nowAt = sql`${now.toISOString()}::timestamptz`;
  const days = (later: SQL, earlier: SQL) =>
    sql`((extract(epoch from ${later}) - extract(epoch from ${earlier})) * 1000 / ${DAY_MS}::float8)`;
  // One JSON parameter for the batch (numeric arrays do not bind as parameters on every driver).
  const input = JSON.stringify(
    counted.map((c) => ({ ...c, occurredAt: c.occurredAt.toISOString() })),
  );
  const result = await db.execute(sql`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as i("scoreId" text, version int,
        "decayPerDay" float8, "eventId" text, "customerId" text, type text, points float8,
        "occurredAt" timestamptz)
    ),
    human as (
      select i."scoreId" as score_id, i.version, i."eventId" as event_id,
             i."customerId" as customer_id, i.type as event_type, i.points,
             i."occurredAt" as occurred_at
        from input i join events e on e.id = i."eventId"
       where not coalesce(e.flags -> 'machineOpen' = 'true'::jsonb, false)
         and not coalesce(e.flags -> 'bot' = 'true'::jsonb, false)
    ),
    added as (
      insert into score_contributions
        (score_id, version, event_id, customer_id, event_type, points, occurred_at, counted_at)
      select score_id, version, event_id, customer_id, event_type, points, occurred_at, ${nowAt}
        from human
      on conflict do nothing
      returning score_id, version, customer_id, points, least(occurred_at, ${nowAt}) as t
    ),
    newest as (
      select a.*, max(a.t) over (partition by a.score_id, a.version, a.customer_id) as as_of
        from added a
    ),
    grouped as (
      select n.score_id, n.version, n.customer_id, n.as_of, i.decay_per_day,
             sum(n.points * power(i.decay_per_day, ${days(sql`n.as_of`, sql`n.t`)})) as value,
             count(*) as added
        from newest n
        join (select distinct "scoreId" as score_id, version, "decayPerDay" as decay_per_day
                from input) i
          on i.score_id = n.score_id and i.version = n.version
       group by n.score_id, n.version, n.customer_id, n.as_of, i.decay_per_day
    ),
    upserted as (
      insert into customer_scores (customer_id, score_id, version, value, as_of, decay_per_day, updated_at)
      select customer_id, score_id, version, value, as_of, decay_per_day, ${nowAt} from grouped
      on conflict (customer_id, score_id, version) do update set
        value = customer_scores.value * power(customer_scores.decay_per_day,
                  ${days(sql`greatest(customer_scores.as_of, excluded.as_of)`, sql`customer_scores.as_of`)})
              + excluded.value * power(customer_scores.decay_per_day,
                  ${days(sql`greatest(customer_scores.as_of, excluded.as_of)`, sql`excluded.as_of`)}),
        as_of = greatest(customer_scores.as_of, excluded.as_of),
        updated_at = excluded.updated_at
      returning 1
    )
    -- A data-modifying CTE runs to completion whether or not the query reads it.
    select coalesce(sum(added), 0)::int as added from grouped`);
  return rowsOf<{ added: number }>(result)[0]?.added ?? 0;
}
