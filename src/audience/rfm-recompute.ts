import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { parseDuration } from '../journeys/durations';
import { builtInProfileRules } from '../lifecycle/profile-rules';
import { RFM_QUANTILES, SCORE_CHANGED, SCORE_EVENT_SOURCE, type RfmScore } from '../scores';
import { DAY_MS } from '../scores/decay';
import { numberOf } from './json-values-sql';

/** What one recompute did. */
export interface RfmRecomputeOutcome {
  scoreId: string;
  version: number;
  computedAt: string;
  /** Customers with a purchase in the window: each has a stored cell now. */
  scored: number;
  /** Rows written: new cells, and rows whose purchases or cell changed (the rest stay as they are). */
  written: number;
  /** Customers whose cell changed, appeared or went (their purchases left the window). */
  changed: number;
  /** Of those, the ones that got a cell for the first time (stored without an event). */
  firstCells: number;
  /** Of those, the ones whose purchases all left the window (their row removed). */
  removed: number;
  /** score_changed events written (a change from one cell to another, or to none). */
  events: number;
}

/**
 * The purchases RFM reads are the profile rules' (src/lifecycle/profile-rules.ts): the events
 * lifetime_value adds, and the property it adds. One owner, so RFM's monetary value and
 * lifetime_value never disagree about what a purchase is worth.
 */
export function purchaseSource(): { event: string; amount: string } {
  const rule = builtInProfileRules.find((r) => r.attribute === 'lifetime_value');
  if (rule?.update.kind !== 'add') {
    throw new Error('the lifetime_value profile rule no longer adds a purchase amount');
  }
  return { event: rule.event, amount: rule.update.property };
}

/**
 * Recomputes an RFM score for every customer at `now`, as two statements inside one transaction
 * (the transaction takes an advisory lock first, so a retried activity and the run it replaces
 * never interleave): aggregate the purchases in the window per customer, rank each part with
 * window functions (rank(), so equal values share a quintile: src/scores/rfm.ts states the
 * arithmetic), then, against the rows stored before,
 *
 *   - upsert the rows of the scored customers whose purchases or cell changed (recency is stored
 *     as the last purchase's time, so a day passing rewrites nothing by itself);
 *   - delete the rows of customers with no purchase left in the window (a second statement);
 *   - write a `score_changed` event {score_id, score_version, from, to, value, previous_value}
 *     in the outbox for each customer whose cell changed from one cell to another or to none,
 *     routed like any other event (journeys trigger on it; segments reading the score depend on
 *     it). A customer's first cell is stored without one, as a first lifecycle stage is: it is no
 *     transition, and a first recompute must not start a journey for everyone;
 *   - have the segments that read the score look at those first cells again at once, through the
 *     due index (no event will).
 *
 * Nothing is done per customer in Node: the statement's size does not depend on how many there are.
 */
export async function recomputeRfm(
  db: Database,
  definition: RfmScore,
  now: Date,
): Promise<RfmRecomputeOutcome> {
  type Counts = Record<
    'scored' | 'written' | 'changed' | 'firstCells' | 'removed' | 'events',
    number
  >;
  const [scored, removed] = await db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`cairn:rfm:${definition.id}`}::text))`,
    );
    const first = rowsOf<Counts>(await tx.execute(scoreStatement(definition, now)))[0];
    const second = rowsOf<Counts>(
      await tx.execute(removeStatement(definition, now, first?.scored ?? 0, first?.changed ?? 0)),
    )[0];
    return [first, second];
  });
  const count = (value: unknown) => Number(value ?? 0);
  return {
    scoreId: definition.id,
    version: definition.version,
    computedAt: now.toISOString(),
    scored: count(scored?.scored),
    written: count(scored?.written),
    changed: count(scored?.changed) + count(removed?.removed),
    firstCells: count(scored?.firstCells),
    removed: count(removed?.removed),
    events: count(scored?.events) + count(removed?.events),
  };
}

/** The start of the window at `now`: purchases from then on count. */
function windowStart(definition: RfmScore, now: Date): SQL {
  return sql`${new Date(now.getTime() - parseDuration(definition.window)).toISOString()}::timestamptz`;
}

/** The purchases in the window, aggregated per customer; the bare part the benchmark compares. */
export function purchaseAggregateSql(definition: RfmScore, now: Date): SQL {
  const { event, amount } = purchaseSource();
  const at = sql`${now.toISOString()}::timestamptz`;
  const since = windowStart(definition, now);
  return sql`
    select e.customer_id, max(e.occurred_at) as last_at, count(*)::int as purchases,
           coalesce(round(sum(${numberOf(sql`(e.properties -> ${amount}::text)`)}::numeric), 6),
                    0)::float8 as monetary
      from events e
     where e.type = ${event}::text and e.occurred_at >= ${since} and e.occurred_at <= ${at}
     group by e.customer_id`;
}

/** A score_changed event for each row of `changes` (customer_id, from_cell, to_cell, ...). */
function changeEventsSql(definition: RfmScore, now: Date, changes: SQL): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const id = sql`${definition.id}::text`;
  const eventId = sql`${`${SCORE_CHANGED}:${definition.id}:${definition.version}:`}::text || c.customer_id || ${`:${now.getTime()}`}::text`;
  return sql`
      insert into events (id, customer_id, type, occurred_at, received_at, properties, source,
                          next_routing_at)
      select ${eventId}, c.customer_id, ${SCORE_CHANGED}::text, ${at}, ${at},
             jsonb_build_object('score_id', ${id}, 'score_version', ${definition.version}::int,
                                'from', c.from_cell, 'to', c.to_cell,
                                'value', c.to_value, 'previous_value', c.from_value),
             ${SCORE_EVENT_SOURCE}::text, ${at}
        from ${changes} c
       where c.from_cell is not null
      on conflict (id) do nothing
      returning 1`;
}

/**
 * The first statement: every customer who bought in the window ranked and upserted, with the
 * events and due re-checks of the cells that changed. Its joins are hash joins on sets the size
 * of the customers who bought; nothing joins a CTE against a CTE by nested loop.
 */
function scoreStatement(definition: RfmScore, now: Date): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const id = sql`${definition.id}::text`;
  const version = sql`${definition.version}::int`;
  const q = sql`${RFM_QUANTILES}::bigint`;
  // The quintile of a rank among n (rank() is 1 + the rows strictly before): 1 + ⌊q × worse / n⌋.
  const quintile = (rank: SQL) => sql`(1 + (${q} * (${rank} - 1)) / n)::smallint`;
  return sql`
    with purchases as (${purchaseAggregateSql(definition, now)}),
    ranked as (
      select p.customer_id, p.last_at, p.purchases, p.monetary, d.recency_days,
             count(*) over () as n,
             rank() over (order by d.recency_days desc) as r_rank,
             rank() over (order by p.purchases) as f_rank,
             rank() over (order by p.monetary) as m_rank
        from purchases p
        cross join lateral (select floor((extract(epoch from ${at}) - extract(epoch from p.last_at))
                                         * 1000 / ${DAY_MS}::float8)::int as recency_days) d
    ),
    quintiles as (
      select customer_id, last_at, purchases, monetary,
             ${quintile(sql`r_rank`)} as r, ${quintile(sql`f_rank`)} as f,
             ${quintile(sql`m_rank`)} as m
        from ranked
    ),
    scored as (
      select q.*, (q.r::text || q.f::text || q.m::text) as cell, (q.r + q.f + q.m)::smallint as value
        from quintiles q
    ),
    compared as (
      -- Each scored customer beside their row as it was before this statement (its own writes
      -- are not visible to it).
      select c.*, p.cell as from_cell, p.value as from_value,
             (p.last_purchase_at, p.purchases, p.monetary, p.cell)
               is distinct from (c.last_at, c.purchases, c.monetary, c.cell) as differs
        from scored c
        left join rfm_scores p
          on p.customer_id = c.customer_id and p.score_id = ${id} and p.version = ${version}
    ),
    changes as (
      select customer_id, from_cell, cell as to_cell, from_value, value as to_value
        from compared
       where from_cell is distinct from cell
    ),
    upserted as (
      -- A day passing changes none of these for most customers: only rows that differ are
      -- written (an upsert that updates nothing would still lock and dirty every row).
      insert into rfm_scores (customer_id, score_id, version, last_purchase_at, purchases,
                              monetary, r, f, m, cell, value, cell_since)
      select customer_id, ${id}, ${version}, last_at, purchases, monetary, r, f, m, cell, value,
             ${at}
        from compared
       where differs
      on conflict (customer_id, score_id, version) do update set
        last_purchase_at = excluded.last_purchase_at, purchases = excluded.purchases,
        monetary = excluded.monetary, r = excluded.r, f = excluded.f, m = excluded.m,
        cell = excluded.cell, value = excluded.value,
        cell_since = case when rfm_scores.cell = excluded.cell then rfm_scores.cell_since
                          else excluded.cell_since end
      returning 1
    ),
    emitted as (${changeEventsSql(definition, now, sql`changes`)}),
    rechecked as (
      insert into segment_due_checks (segment_id, customer_id, due_at)
      select s.id, c.customer_id, ${at}
        from changes c
        cross join segments s
       where c.from_cell is null and s.kind = 'rule' and s.status = 'active'
         and ${SCORE_CHANGED}::text = any(s.depends_on_events)
      on conflict (segment_id, customer_id) do update
         set due_at = least(segment_due_checks.due_at, excluded.due_at)
      returning 1
    )
    -- Data-modifying CTEs run to completion whether or not the query reads them.
    select (select count(*) from scored)::int as scored,
           (select count(*) from upserted)::int as written,
           (select count(*) from changes)::int as changed,
           (select count(*) from changes where from_cell is null)::int as "firstCells",
           (select count(*) from emitted)::int as events`;
}

/**
 * The second statement: a stored row whose last purchase is no longer in the window belongs to a
 * customer the first statement did not score (it rewrote the last purchase of every customer it
 * scored whose purchases changed): deleted, each with its event. Then the run is recorded.
 */
function removeStatement(definition: RfmScore, now: Date, scored: number, changed: number): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const id = sql`${definition.id}::text`;
  const version = sql`${definition.version}::int`;
  return sql`
    with removed as (
      delete from rfm_scores s
       where s.score_id = ${id} and s.version = ${version}
         and not (s.last_purchase_at between ${windowStart(definition, now)} and ${at})
      returning s.customer_id, s.cell as from_cell, null::text as to_cell, s.value as from_value,
                null::smallint as to_value
    ),
    emitted as (${changeEventsSql(definition, now, sql`removed`)}),
    run as (
      insert into score_runs (score_id, version, computed_at, scored, changed)
      values (${id}, ${version}, ${at}, ${scored}::int,
              ${changed}::int + (select count(*) from removed)::int)
      on conflict (score_id, version) do update set computed_at = excluded.computed_at,
        scored = excluded.scored, changed = excluded.changed
      returning 1
    )
    select (select count(*) from removed)::int as removed,
           (select count(*) from emitted)::int as events`;
}
