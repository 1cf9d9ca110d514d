// How long a segment preview takes on a production-sized table, against the 2 s target and
// against hand-written SQL counts on the same data. A database of its own (created, migrated,
// dropped) gets N customers and M routed events over the last 180 days by COPY
// (bench/support/segment-data.ts; the load rate is printed), is analysed, and then
// previewSegment (the statement the API's preview endpoint runs) is timed for every built-in
// segment and a few more kinds, rounds times each, as are the bare counts. With --explain, the
// plan (EXPLAIN ANALYZE) of every definition over the target is printed. Prints figures and
// ratios, asserts nothing; the last line is `bench-result: {json}`. Run with
// `npm run bench:segments` (flags: --customers 100000 --events 5000000 --rounds 3 --explain, and
// --index 'create index …', repeatable, to try an index the migrations do not have).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { previewSegment } from '../src/audience';
import { segmentPredicate } from '../src/audience/segment-sql';
import { openDatabase, type Database } from '../src/db/database';
import { rowsOf } from '../src/db/rows';
import { customers } from '../src/db/schema';
import { builtInSegments, purchasedCategory } from '../src/segments/library';
import {
  segmentConditionSchema,
  type SegmentCondition,
  type SegmentConditionInput,
} from '../src/segments/schema';
import { createBenchDatabase } from './support/bench-database';
import {
  CUSTOMER_COLUMNS,
  EVENT_COLUMNS,
  writeCustomers,
  writeEvents,
} from './support/segment-data';
import { builtInCatalogue } from '../src/scores';

const TARGET_MS = 2_000;
const SAMPLE = 10;

const { values: flags } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    events: { type: 'string', default: '5000000' },
    rounds: { type: 'string', default: '3' },
    /** Parallel COPY streams for the events: one per core keeps both busy. */
    streams: { type: 'string', default: '2' },
    explain: { type: 'boolean', default: false },
    /** An index to try (a CREATE INDEX statement), built after the load; repeatable. */
    index: { type: 'string', multiple: true, default: [] },
  },
});
const CUSTOMERS = Number(flags.customers);
const EVENTS = Number(flags.events);
const ROUNDS = Number(flags.rounds);
const STREAMS = Number(flags.streams);

/** Definitions beyond the built-ins: kinds and shapes the built-ins leave out. */
const EXTRA: { id: string; where: SegmentConditionInput }[] = [
  { id: 'plan_pro', where: { profile: { field: 'plan', op: 'eq', value: 'pro' } } },
  {
    id: 'carted_3x_7d',
    where: { performed: { event: 'add_to_cart', count: { atLeast: 3 }, within: '7d' } },
  },
  {
    id: 'spent_500_90d',
    where: {
      aggregate: {
        event: 'purchase',
        property: 'total',
        fn: 'sum',
        within: '90d',
        op: 'gte',
        value: 500,
      },
    },
  },
  {
    id: 'nested',
    where: {
      all: [
        {
          any: [
            { profile: { field: 'plan', op: 'in', value: ['pro', 'enterprise'] } },
            { profile: { field: 'lifetime_value', op: 'gte', value: 500 } },
          ],
        },
        { not: { engaged: { action: 'opened', channel: 'email', within: '14d' } } },
        { consented: { channel: 'email' } },
      ],
    },
  },
];
const shoes = purchasedCategory('shoes');

const DEFINITIONS: { id: string; condition: SegmentCondition }[] = [
  ...builtInSegments,
  ...EXTRA,
  shoes,
].map(({ id, where }) => ({ id, condition: segmentConditionSchema.parse(where) }));

interface Timing {
  count: number;
  ms: number[];
}

const p50 = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.floor((ms.length - 1) / 2)] ?? 0;
const max = (ms: number[]) => Math.max(...ms);
const fmt = (ms: number) => ms.toFixed(ms < 100 ? 1 : 0);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function copyInto(
  raw: postgres.Sql,
  statement: 'customers' | 'events',
  write: (writable: import('node:stream').Writable) => Promise<void>,
): Promise<void> {
  // The column lists are constants of this file, so unsafe text is safe here.
  const writable = await raw
    .unsafe(
      `copy ${statement} (${statement === 'customers' ? CUSTOMER_COLUMNS : EVENT_COLUMNS}) from stdin`,
    )
    .writable();
  await write(writable);
}

async function loadData(raw: postgres.Sql, now: number): Promise<Record<string, number>> {
  let started = performance.now();
  await copyInto(raw, 'customers', (w) => writeCustomers(w, CUSTOMERS, 1));
  const customerMs = performance.now() - started;
  console.log(
    `loaded ${CUSTOMERS.toLocaleString('en')} customers in ${(customerMs / 1000).toFixed(1)} s ` +
      `(${Math.round((CUSTOMERS / customerMs) * 1000).toLocaleString('en')} rows/s)`,
  );
  // A bulk load builds the secondary indexes after the rows: maintained row by row, the
  // (customer_id, occurred_at) index's random inserts took the rate from 27,000 rows/s at 500,000
  // events to 16,000 at 5M (313 s). They are rebuilt from their own definitions (pg_indexes),
  // so the previews run on exactly the migrated indexes. The primary key stays.
  const indexes = await raw<{ name: string; definition: string }[]>`
    select indexname as name, indexdef as definition from pg_indexes
     where schemaname = current_schema() and tablename = 'events' and indexname <> 'events_pkey'`;
  for (const { name } of indexes) await raw.unsafe(`drop index "${name}"`);
  started = performance.now();
  const per = Math.ceil(EVENTS / STREAMS);
  await Promise.all(
    Array.from({ length: STREAMS }, (_, s) =>
      copyInto(raw, 'events', (w) =>
        writeEvents(w, {
          from: s * per,
          to: Math.min(EVENTS, (s + 1) * per),
          customers: CUSTOMERS,
          now,
          seed: 100 + s,
        }),
      ),
    ),
  );
  const eventMs = performance.now() - started;
  console.log(
    `loaded ${EVENTS.toLocaleString('en')} events in ${(eventMs / 1000).toFixed(1)} s ` +
      `(${Math.round((EVENTS / eventMs) * 1000).toLocaleString('en')} rows/s, ${STREAMS} COPY ` +
      `streams, primary key only)`,
  );
  started = performance.now();
  // Two at a time, one per core; maintenance_work_mem as a bulk load would set it.
  const queue = [...indexes];
  await Promise.all(
    Array.from({ length: 2 }, () =>
      raw.reserve().then(async (connection) => {
        await connection`set maintenance_work_mem = '256MB'`;
        for (let next = queue.shift(); next; next = queue.shift()) {
          await connection.unsafe(next.definition);
        }
        connection.release();
      }),
    ),
  );
  const indexMs = performance.now() - started;
  console.log(
    `built the events table's ${indexes.length} secondary indexes in ${(indexMs / 1000).toFixed(1)} s ` +
      `(${Math.round((EVENTS / (eventMs + indexMs)) * 1000).toLocaleString('en')} rows/s with them)`,
  );
  for (const definition of flags.index) {
    const indexStarted = performance.now();
    await raw.unsafe(definition);
    console.log(
      `tried ${definition} (built in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s)`,
    );
  }
  // What autovacuum would have done by the time anyone previews on a table this size.
  started = performance.now();
  await raw`vacuum analyze customers`;
  await raw`vacuum analyze events`;
  const analyseMs = performance.now() - started;
  console.log(`vacuum analyze in ${(analyseMs / 1000).toFixed(1)} s`);
  const [size] = await raw<{ events: string; customers: string }[]>`
    select pg_size_pretty(pg_total_relation_size('events')) as events,
           pg_size_pretty(pg_total_relation_size('customers')) as customers`;
  console.log(`sizes with indexes: events ${size?.events}, customers ${size?.customers}`);
  return {
    customerRowsPerSecond: Math.round((CUSTOMERS / customerMs) * 1000),
    eventRowsPerSecond: Math.round((EVENTS / eventMs) * 1000),
    eventLoadSeconds: Number((eventMs / 1000).toFixed(1)),
    indexBuildSeconds: Number((indexMs / 1000).toFixed(1)),
  };
}

/** The bare parts: what a person would write by hand for the same question, counts only. */
function bareQueries(now: Date): { id: string; text: string; params: unknown[] }[] {
  const at = now.toISOString();
  return [
    {
      id: 'recent_purchaser',
      text: `select count(distinct customer_id) as n from events
              where type = 'purchase' and occurred_at > $1::timestamptz - interval '30 days'
                and occurred_at <= $1::timestamptz`,
      params: [at],
    },
    {
      id: 'highly_engaged',
      text: `select count(*) as n from (select customer_id from events
              where type = any($2::text[]) and occurred_at > $1::timestamptz - interval '30 days'
                and occurred_at <= $1::timestamptz
                and not coalesce(flags -> 'machineOpen' = 'true'::jsonb, false)
                and not coalesce(flags -> 'bot' = 'true'::jsonb, false)
              group by customer_id having count(*) >= 10) as engaged`,
      params: [at, ['email_opened', 'email_clicked', 'sms_clicked', 'push_opened', 'in_app_read']],
    },
    {
      id: 'high_value_customer',
      text: `select count(*) as n from customers
              where case jsonb_typeof(attributes -> 'lifetime_value')
                when 'number' then (attributes -> 'lifetime_value')::float8
                when 'string' then case when attributes ->> 'lifetime_value' ~ '^-?[0-9]+(\\.[0-9]+)?$'
                  then (attributes ->> 'lifetime_value')::float8 end end >= 1000`,
      params: [],
    },
  ];
}

async function timedPreview(db: Database, condition: SegmentCondition, now: Date) {
  const started = performance.now();
  const preview = await previewSegment(db, condition, {
    now,
    emailMarketingDefault: 'opted_in',
    sample: SAMPLE,
  });
  return { count: preview.count, ms: performance.now() - started };
}

/** previewSegment's statement (src/audience/segment-preview.ts) under EXPLAIN ANALYZE. */
async function explain(db: Database, condition: SegmentCondition, now: Date): Promise<string> {
  const predicate = segmentPredicate(condition, {
    now,
    emailMarketingDefault: 'opted_in',
    scores: builtInCatalogue,
  });
  const result = await db.execute(sql`explain (analyze, buffers, costs off)
    select ${customers.id} as id, count(*) over () as total from ${customers}
     where ${predicate} order by ${customers.id} limit ${SAMPLE}`);
  return rowsOf<{ 'QUERY PLAN': string }>(result)
    .map((row) => row['QUERY PLAN'])
    .join('\n');
}

async function main(): Promise<void> {
  const loadBefore = load();
  const database = await createBenchDatabase();
  const raw = postgres(database.url, { max: STREAMS + 1, onnotice: () => undefined });
  const handle = await openDatabase({ url: database.url, maxConnections: 2 });
  try {
    const nowMs = Date.now();
    const now = new Date(nowMs);
    const loaded = await loadData(raw, nowMs);

    const cairn = new Map<string, Timing>();
    const bare = new Map<string, Timing>();
    const queries = bareQueries(now);
    // Interleaved round by round, so a burst of load on the machine spreads over all of them.
    for (let round = 0; round < ROUNDS; round++) {
      for (const { id, condition } of DEFINITIONS) {
        const { count, ms } = await timedPreview(handle.db, condition, now);
        const timing = cairn.get(id) ?? { count, ms: [] };
        timing.ms.push(ms);
        cairn.set(id, timing);
      }
      for (const query of queries) {
        const started = performance.now();
        const [row] = await raw.unsafe<{ n: string }[]>(query.text, query.params as never[]);
        const ms = performance.now() - started;
        const timing = bare.get(query.id) ?? { count: Number(row?.n ?? 0), ms: [] };
        timing.ms.push(ms);
        bare.set(query.id, timing);
      }
    }

    console.log(
      `\npreviewSegment, ${ROUNDS} rounds, ${CUSTOMERS.toLocaleString('en')} customers, ` +
        `${EVENTS.toLocaleString('en')} events (target ${TARGET_MS} ms):`,
    );
    const results: Record<string, unknown>[] = [];
    for (const { id } of DEFINITIONS) {
      const t = cairn.get(id)!;
      const ratio = p50(t.ms) / TARGET_MS;
      console.log(
        `  ${id.padEnd(22)} count ${String(t.count).padStart(7)}  p50 ${fmt(p50(t.ms)).padStart(6)} ms` +
          `  max ${fmt(max(t.ms)).padStart(6)} ms  p50 ÷ target ${ratio.toFixed(2)} ${ratio <= 1 ? '✓' : '✗'}`,
      );
      results.push({
        id,
        count: t.count,
        p50Ms: Math.round(p50(t.ms)),
        maxMs: Math.round(max(t.ms)),
      });
    }
    console.log('\nbare SQL counts (hand-written, same data):');
    const ratios: Record<string, number> = {};
    for (const query of queries) {
      const b = bare.get(query.id)!;
      const c = cairn.get(query.id)!;
      ratios[query.id] = Number((p50(c.ms) / p50(b.ms)).toFixed(2));
      console.log(
        `  ${query.id.padEnd(22)} count ${String(b.count).padStart(7)}  p50 ${fmt(p50(b.ms)).padStart(6)} ms` +
          `  max ${fmt(max(b.ms)).padStart(6)} ms  Cairn ÷ bare ${ratios[query.id]?.toFixed(2)}` +
          (b.count === c.count ? '' : `  (Cairn counts ${c.count})`),
      );
    }
    if (flags.explain) {
      for (const { id, condition } of DEFINITIONS) {
        if (p50(cairn.get(id)!.ms) <= TARGET_MS) continue;
        console.log(`\nEXPLAIN ANALYZE ${id}:\n${await explain(handle.db, condition, now)}`);
      }
    }
    console.log(`\nload before ${loadBefore}, after ${load()}`);
    console.log(
      `bench-result: ${JSON.stringify({
        section: 'segments',
        customers: CUSTOMERS,
        events: EVENTS,
        targetMs: TARGET_MS,
        ...loaded,
        previews: results,
        cairnOverBare: ratios,
      })}`,
    );
  } finally {
    await handle.close();
    await raw.end({ timeout: 5 });
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
