// What Segment's tracking spec costs over Cairn's own events API, in one run: the same track
// calls posted as Segment batches (POST /v1/batch: messageIds claimed, identities resolved,
// canonical names, skew-corrected times) and as event batches (POST /v1/events/batch: the part the
// spec path builds on), and the same rows written by one raw INSERT … SELECT FROM unnest per batch
// (the bare part). The customers exist first (created by an identify each), so the figure is the
// steady state of a site whose visitors are known. Prints events/s and the ratios, asserts
// nothing; the last line is `bench-result: {json}`. Run with `npm run bench:spec-calls` (flags:
// --batches 40, --size 500, --customers 2000).
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createBenchDatabase } from './support/bench-database';
import { BENCH_API_KEY, startApiOnly } from './support/api-only';
import { loadAverage, printBenchResult, round } from './pipeline/bench-support';

const { values: flags } = parseArgs({
  options: {
    batches: { type: 'string', default: '40' },
    size: { type: 'string', default: '500' },
    customers: { type: 'string', default: '2000' },
  },
});
const BATCHES = Number(flags.batches);
const SIZE = Number(flags.size);
const CUSTOMERS = Number(flags.customers);
const auth = { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' };
const userOf = (i: number) => `user-${(i * 7919) % CUSTOMERS}`;
const sentAt = new Date().toISOString();

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}

function specBatch(b: number) {
  return {
    sentAt,
    batch: Array.from({ length: SIZE }, (_, k) => {
      const i = b * SIZE + k;
      return {
        type: 'track',
        messageId: `spec-${i}`,
        userId: userOf(i),
        event: 'Product Viewed',
        properties: { product_id: `p-${i % 500}`, price: i % 90 },
        timestamp: sentAt,
        context: { library: { name: 'analytics-node', version: '3.1.0' } },
      };
    }),
  };
}

function eventBatch(b: number) {
  return {
    items: Array.from({ length: SIZE }, (_, k) => {
      const i = b * SIZE + k;
      return {
        id: `evt-${i}`,
        customerId: userOf(i),
        type: 'product_view',
        occurredAt: sentAt,
        properties: { product_id: `p-${i % 500}`, price: i % 90 },
      };
    }),
  };
}

async function timed(label: string, work: (b: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  for (let b = 0; b < BATCHES; b += 1) await work(b);
  const ms = performance.now() - started;
  const rate = (BATCHES * SIZE * 1000) / ms;
  console.log(`${label.padEnd(28)} ${(ms / 1000).toFixed(2)} s, ${Math.round(rate)} events/s`);
  return ms;
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  console.log(
    `spec-calls benchmark: ${BATCHES} batches of ${SIZE} track calls for ${CUSTOMERS} customers; load ${loadBefore}`,
  );
  const database = await createBenchDatabase();
  const api = await startApiOnly(database.url, 'bench-spec');
  const raw = postgres(database.url, { max: 1, onnotice: () => undefined });
  try {
    for (let start = 0; start < CUSTOMERS; start += SIZE) {
      const batch = Array.from({ length: Math.min(SIZE, CUSTOMERS - start) }, (_, k) => ({
        type: 'identify',
        messageId: `id-${start + k}`,
        userId: `user-${start + k}`,
        traits: { plan: 'free' },
      }));
      await post(`${api.baseUrl}/v1/batch`, { batch });
    }
    const spec = await timed('POST /v1/batch (Segment)', (b) =>
      post(`${api.baseUrl}/v1/batch`, specBatch(b)),
    );
    const events = await timed('POST /v1/events/batch', (b) =>
      post(`${api.baseUrl}/v1/events/batch`, eventBatch(b)),
    );
    const bare = await timed('raw INSERT … unnest', async (b) => {
      const items = eventBatch(b).items;
      await raw`
        insert into events (id, customer_id, type, occurred_at, properties, source)
        select * from unnest(${items.map((e) => `raw-${e.id}`)}::text[],
                             ${items.map((e) => e.customerId)}::text[],
                             ${items.map((e) => e.type)}::text[],
                             ${items.map((e) => e.occurredAt)}::timestamptz[],
                             ${items.map((e) => JSON.stringify(e.properties))}::jsonb[],
                             ${items.map(() => 'bench')}::text[])`;
    });
    const loadAfter = loadAverage();
    console.log(
      `Segment ÷ events API: ${(spec / events).toFixed(2)}×; Segment ÷ raw INSERT: ${(spec / bare).toFixed(2)}×; ` +
        `events API ÷ raw INSERT: ${(events / bare).toFixed(2)}×; load after ${loadAfter}`,
    );
    printBenchResult({
      section: 'spec-calls',
      metric: 'track calls stored, events/s',
      cairn: Math.round((BATCHES * SIZE * 1000) / spec),
      bare: Math.round((BATCHES * SIZE * 1000) / bare),
      ratio: round(spec / bare),
      eventsApiRatio: round(spec / events),
      // The spec path adds message ids, identities and names to the events API it builds on.
      target: 'Segment ÷ events API <= 2',
      met: spec / events <= 2,
      load: { before: loadBefore, after: loadAfter },
    });
  } finally {
    await raw.end();
    await api.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
