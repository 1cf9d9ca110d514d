import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { DAY_MS } from '../scores/decay';

/** One event's points for one score, as the statement takes them. */
export interface Counted {
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
  // One JSON parameter for the batch (numeric arrays do not bind as parameters on every driver).
  const input = JSON.stringify(
    counted.map((c) => ({ ...c, occurredAt: c.occurredAt.toISOString() })),
  );
  return addContributions(
    db,
    sql`select * from jsonb_to_recordset(${input}::jsonb) as i("scoreId" text, version int,
        "decayPerDay" float8, "eventId" text, "customerId" text, type text, points float8,
        "occurredAt" timestamptz)`,
    now,
  );
}

/**
 * The statement of countContributions over any `input` query with its columns ("scoreId",
 * version, "decayPerDay", "eventId", "customerId", type, points, "occurredAt"): the live path's
 * batch, or the backfill's page of event history (score-backfill.ts). One arithmetic for both,
 * and one idempotence: an event either counted adds nothing in the other.
 */
export async function addContributions(db: Database, input: SQL, now: Date): Promise<number> {
  const nowAt = sql`${now.toISOString()}::timestamptz`;
  const days = (later: SQL, earlier: SQL) =>
    sql`((extract(epoch from ${later}) - extract(epoch from ${earlier})) * 1000 / ${DAY_MS}::float8)`;
  const result = await db.execute(sql`
    with input as (${input}),
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
