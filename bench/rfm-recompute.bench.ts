// How long the RFM recompute takes (src/audience/rfm-recompute.ts: one statement that aggregates
// every customer's purchases in the window, ranks them with window functions, upserts a row per
// customer, deletes the rows that left the window and writes score_changed events for the cells
// that changed), beside the bare part measured in the same run on the same rows: the
// `select customer_id, max(occurred_at), count(*), sum(total) … group by customer_id` over the
// window's purchases, all of whose columns are read. A database of its own gets N customers and
// M events over 180 days by COPY (bench/support/segment-data.ts, 5% of them purchases); then, for
// each round, a day passes (new purchases for 1% of the customers) and both are timed, the bare
// part first. Round 1 stores every customer's first cell (inserts, no events); later rounds are
// the daily run (updates, events for moved cells). Prints figures and the ratio, asserts nothing;
// the last line is `bench-result: {json}`. `npm run bench:rfm` (flags: --customers 20000
// --events 500000 --rounds 4 --streams 2; the production shape is --customers 100000 --events
// 5000000).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { purchaseAggregateSql, recomputeRfm } from '../src/audience/rfm-recompute';
import { openDatabase, type Database } from '../src/db/database';
import { rowsOf } from '../src/db/rows';
import { DAY_MS, rfmScore } from '../src/scores';
import { createBenchDatabase } from './support/bench-database';
import { loadSegmentData } from './support/load-events';

const { values: flags } = parseArgs({
  options: {
    customers: { type: 'string', default: '20000' },
    events: { type: 'string', default: '500000' },
    rounds: { type: 'string', default: '4' },
    streams: { type: 'string', default: '2' },
  },
});
const CUSTOMERS = Number(flags.customers);
const EVENTS = Number(flags.events);
const ROUNDS = Math.max(2, Number(flags.rounds));
const STREAMS = Number(flags.streams);

const fmt = (ms: number) => ms.toFixed(ms < 100 ? 1 : 0);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The bare part: the aggregate alone, every column it yields read so none is planned away. */
async function bareAggregate(db: Database, now: Date): Promise<{ ms: number; rows: number }> {
  const started = performance.now();
  const [row] = rowsOf<{ rows: number }>(
    await db.execute(sql`
      select count(*)::int as rows, sum(extract(epoch from a.last_at)) as t,
             sum(a.purchases) as p, sum(a.monetary) as m
        from (${purchaseAggregateSql(rfmScore, now)}) a`),
  );
  return { ms: performance.now() - started, rows: row?.rows ?? 0 };
}

/** A day's new purchases: 1% of the customers buy once, an hour before `now`. */
async function newPurchases(raw: postgres.Sql, round: number, now: Date): Promise<void> {
  const count = Math.max(1, Math.round(CUSTOMERS / 100));
  await raw`
    insert into events (id, customer_id, type, occurred_at, received_at, properties, source,
                        routed_at)
    select 'bench-day' || ${round}::int || '-' || g, 'c' || lpad(((g * 7919 + ${round}::int * 104729)
             % ${CUSTOMERS}::int)::text, 7, '0'),
           'purchase', ${new Date(now.getTime() - 3_600_000)}, ${now},
           jsonb_build_object('total', (g % 300) + 0.99), 'bench', ${now}
      from generate_series(1, ${count}::int) as g`;
  await raw`analyze events`;
}

interface Round {
  bareMs: number;
  recomputeMs: number;
  scored: number;
  written: number;
  changed: number;
  events: number;
}

async function main(): Promise<void> {
  const loadBefore = load();
  const database = await createBenchDatabase();
  const raw = postgres(database.url, { max: STREAMS + 1, onnotice: () => undefined });
  const handle = await openDatabase({ url: database.url, maxConnections: 2 });
  try {
    const start = Date.now();
    const loaded = await loadSegmentData(raw, {
      customers: CUSTOMERS,
      events: EVENTS,
      streams: STREAMS,
      now: start,
    });
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const now = new Date(start + round * DAY_MS);
      if (round > 0) await newPurchases(raw, round, now);
      const bare = await bareAggregate(handle.db, now);
      const started = performance.now();
      const outcome = await recomputeRfm(handle.db, rfmScore, now);
      const recomputeMs = performance.now() - started;
      rounds.push({
        bareMs: bare.ms,
        recomputeMs,
        scored: outcome.scored,
        written: outcome.written,
        changed: outcome.changed,
        events: outcome.events,
      });
      console.log(
        `round ${round + 1} (day ${round}): bare aggregate ${fmt(bare.ms)} ms (${bare.rows} customers)` +
          `  recompute ${fmt(recomputeMs)} ms  ratio ${(recomputeMs / bare.ms).toFixed(2)}` +
          `  scored ${outcome.scored}, written ${outcome.written}, changed ${outcome.changed}, events ${outcome.events}`,
      );
    }
    const first = rounds[0]!;
    const daily = rounds.slice(1);
    const dailyRatio = median(daily.map((r) => r.recomputeMs / r.bareMs));
    const firstRatio = first.recomputeMs / first.bareMs;
    console.log(
      `\nRFM recompute, ${CUSTOMERS.toLocaleString('en')} customers, ${EVENTS.toLocaleString('en')} events:` +
        `\n  first run (every cell inserted): ${fmt(first.recomputeMs)} ms beside ${fmt(first.bareMs)} ms bare, ratio ${firstRatio.toFixed(2)}` +
        `\n  daily run (median of ${daily.length}): ${fmt(median(daily.map((r) => r.recomputeMs)))} ms beside ` +
        `${fmt(median(daily.map((r) => r.bareMs)))} ms bare, ratio ${dailyRatio.toFixed(2)}` +
        `\n  load before ${loadBefore}, after ${load()}`,
    );
    console.log(
      `bench-result: ${JSON.stringify({
        bench: 'rfm-recompute',
        customers: CUSTOMERS,
        events: EVENTS,
        loadSeconds: loaded.loadSeconds,
        firstRatio: Number(firstRatio.toFixed(2)),
        dailyRatio: Number(dailyRatio.toFixed(2)),
        rounds: rounds.map((r) => ({
          ...r,
          bareMs: Math.round(r.bareMs),
          recomputeMs: Math.round(r.recomputeMs),
        })),
      })}`,
    );
  } finally {
    await handle.close();
    await raw.end();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
