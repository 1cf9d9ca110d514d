// How fast events get in, against the bare parts on the same Postgres in the same run (issue 9):
// the batch API against a raw multi-row INSERT and COPY of the same rows into a table of the
// events table's shape, and the single-event API from 32 clients against 1-row INSERTs from 32
// callers. Real parts only: a fresh database of its own (created, migrated, dropped), a Temporal
// dev server it starts and stops, the API listening on a port, customers seeded. The API stores
// and answers; routing is the background router's. The API figures are the API's alone: the router
// is started after the timed rounds and drains what they stored, timed apart (as src/api/main.ts
// runs it, woken by the API's outbox signal). Methods run interleaved, round by round; then,
// untimed, what the API sends Postgres per event (bench/pg-round-trips.ts). Prints figures and
// ratios, asserts nothing; the last line is `bench-result: {json}`. Run with `npm run bench:ingest`
// (flags: --events 2000 --batch 500 --clients 32 --customers 100 --rounds 2 --triggering 0, the
// share of events that start a journey run).
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { buildApi } from '../src/api/server';
import { openDatabase } from '../src/db/database';
import { customers } from '../src/db/schema';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server';
import { startEventRouter, type EventRouter } from '../src/routing/event-router';
import { createOutboxSignal } from '../src/routing/outbox-signal';
import { createTestDatabase } from '../test/support/test-database';
import { countRoundTrips } from './pg-round-trips';

const API_KEY = 'bench-key-0123456789';
/** The pool the API gets from createTestDatabase; the raw baselines get a pool of the same size. */
const POOL = 20;
const OCCURRED_AT = '2026-05-01T12:00:00.000Z';
/** The columns the API's recordEvents writes (src/routing/record-events.ts). */
const COLUMNS = [
  'id',
  'customer_id',
  'type',
  'occurred_at',
  'received_at',
  'properties',
  'source',
  'next_routing_at',
] as const;

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '500' },
    clients: { type: 'string', default: '32' },
    customers: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '2' },
    triggering: { type: 'string', default: '0' },
  },
});
const EVENTS = Number(flags.events);
const BATCH = Number(flags.batch);
const CLIENTS = Number(flags.clients);
const CUSTOMERS = Number(flags.customers);
const ROUNDS = Number(flags.rounds);
/** The share of events that start a journey run (a Temporal start each); the rest concern none. */
const TRIGGERING = Number(flags.triggering);

/** Keyed by the cart, so every triggering event starts a run of its own. No worker runs them. */
const CART_JOURNEY = {
  id: 'bench-cart',
  name: 'Bench cart',
  trigger: { event: 'cart_updated' },
  reEntry: { mode: 'keyed', key: 'cart' },
  entry: 'pause',
  steps: [
    { id: 'pause', type: 'wait', for: '1h', next: 'done' },
    { id: 'done', type: 'exit' },
  ],
};

interface BenchEvent {
  id: string;
  customerId: string;
  type: string;
  occurredAt: string;
  properties: { page: string; n: number; cart: string };
}

/** The same events for every method; only the id prefix differs. */
function makeEvents(prefix: string, count: number): BenchEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    customerId: `customer-${i % CUSTOMERS}`,
    // page_viewed concerns no journey: the cheapest routing there is (no Temporal call).
    type:
      Math.floor((i + 1) * TRIGGERING) > Math.floor(i * TRIGGERING)
        ? 'cart_updated'
        : 'page_viewed',
    occurredAt: OCCURRED_AT,
    properties: { page: `/pricing/${i % 17}`, n: i, cart: `${prefix}-${i}` },
  }));
}

/** A row as recordEvents writes it: received now, due for the router at once. */
function toRow(event: BenchEvent, now: Date) {
  return {
    id: event.id,
    customer_id: event.customerId,
    type: event.type,
    occurred_at: new Date(event.occurredAt),
    received_at: now,
    properties: JSON.stringify(event.properties),
    source: 'api',
    next_routing_at: now,
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function copyField(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

/**
 * A connected socket with Nagle off for the raw pool. postgres.js writes a COPY's data and its
 * CopyDone as two writes; with Nagle on, the second waits for the server's delayed ACK (~40 ms
 * on Linux), which is the client's stall, not Postgres's. INSERTs go out in one write either way.
 */
async function noDelaySocket(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port || 5432), hostname);
  socket.setNoDelay(true);
  await once(socket, 'connect');
  return socket;
}

/** COPY of the events in batches of BATCH, one COPY statement per batch. */
function copyRun(sql: postgres.Sql, table: string, events: BenchEvent[]): Promise<Figure> {
  return timed(events.length, async (latencies) => {
    for (const items of chunks(events, BATCH)) {
      const started = performance.now();
      const now = new Date();
      const lines = items.map((e) => {
        const row = toRow(e, now);
        return COLUMNS.map((column) => {
          const value = row[column];
          return copyField(value instanceof Date ? value.toISOString() : value);
        }).join('\t');
      });
      const writable = await sql
        .unsafe(`copy ${table} (${COLUMNS.join(', ')}) from stdin`)
        .writable();
      await new Promise<void>((resolve, reject) => {
        writable.on('error', reject);
        writable.on('finish', resolve);
        writable.end(lines.join('\n') + '\n');
      });
      latencies.push(performance.now() - started);
    }
  });
}

interface Figure {
  count: number;
  ms: number;
  /** Per batch or per request, in ms. */
  latencies: number[];
}

async function timed(count: number, body: (latencies: number[]) => Promise<void>): Promise<Figure> {
  const latencies: number[] = [];
  const started = performance.now();
  await body(latencies);
  return { count, ms: performance.now() - started, latencies };
}

/** `clients` callers taking the next item until none is left. */
async function concurrently<T>(items: T[], clients: number, call: (item: T) => Promise<void>) {
  let next = 0;
  const caller = async () => {
    for (let item = items[next++]; item !== undefined; item = items[next++]) await call(item);
  };
  await Promise.all(Array.from({ length: clients }, caller));
}

/**
 * The same 32 clients in a worker thread of their own: the API's callers are other processes in
 * production, and here their HTTP client work would otherwise share the API's one JavaScript thread. Plain JS (no TypeScript in the worker).
 */
const WORKER_CLIENTS = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const http = require('node:http');
const { baseUrl, apiKey, events, clients } = workerData;
const url = new URL('/v1/events', baseUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const post = (body) => new Promise((resolve, reject) => {
  const request = http.request({ host: url.hostname, port: url.port, path: url.pathname,
    method: 'POST', agent, headers: { authorization: 'Bearer ' + apiKey,
    'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
    (response) => { response.resume(); response.on('end', () => resolve(response.statusCode)); });
  request.on('error', reject);
  request.end(body);
});
(async () => {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let e = events[next++]; e !== undefined; e = events[next++]) {
      const t = performance.now();
      const status = await post(JSON.stringify(e));
      if (status !== 202) throw new Error('/v1/events answered ' + status);
      latencies.push(performance.now() - t);
    }
  }));
  parentPort.postMessage({ ms: performance.now() - started, latencies });
  agent.destroy();
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

function singlesFromWorker(baseUrl: string, events: BenchEvent[]): Promise<Figure> {
  const worker = new Worker(WORKER_CLIENTS, {
    eval: true,
    workerData: { baseUrl, apiKey: API_KEY, events, clients: CLIENTS },
  });
  return new Promise<Figure>((resolve, reject) => {
    worker.once('message', (message: { ms: number; latencies: number[] } | { error: string }) => {
      void worker.terminate();
      if ('error' in message) reject(new Error(message.error));
      else resolve({ count: events.length, ...message });
    });
    worker.once('error', reject);
  });
}

// The bench's clients speak node:http over kept-alive connections: fetch (undici, web streams)
// costs more CPU per request than the API itself, and on 2 cores a client that heavy measures
// itself. Callers are other processes in production; the cheapest honest client stands in.
const clientAgent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS * 2 });

function post(baseUrl: string, path: string, body: unknown, expected: number): Promise<void> {
  const url = new URL(path, baseUrl);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: clientAgent,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if (response.statusCode === expected) resolve();
          else reject(new Error(`${path} answered ${response.statusCode}: ${text}`));
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

function merge(figures: Figure[]): Figure {
  return {
    count: figures.reduce((n, f) => n + f.count, 0),
    ms: figures.reduce((n, f) => n + f.ms, 0),
    latencies: figures.flatMap((f) => f.latencies),
  };
}

const rate = (f: Figure) => (f.count / f.ms) * 1000;
function pct(f: Figure, p: number): number {
  const sorted = [...f.latencies].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) * p)] ?? 0;
}
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * Untimed: what the API sends Postgres per event, counted by a second API whose pool goes through
 * a counting proxy (no background router on it), for one batch and for single events.
 */
async function countQueries(
  url: string,
  shared: { temporal: Client; taskQueue: string; defaultTimeZone: string },
): Promise<Record<string, number>> {
  const counter = await countRoundTrips(url);
  const handle = await openDatabase({ url: counter.url, maxConnections: POOL });
  const app = await buildApi({ ...shared, db: handle.db, docsUi: false, apiKeys: [API_KEY] });
  try {
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    await post(baseUrl, '/v1/events', makeEvents('count-warm', 1)[0], 202);
    const per = (events: number) => {
      const { parses, executes, roundTrips } = counter.counts();
      counter.reset();
      const f = (n: number) => Number((n / events).toFixed(3));
      return { statements: f(executes), roundTrips: f(roundTrips), parses: f(parses) };
    };
    const text = (c: ReturnType<typeof per>) =>
      `${c.statements} statements, ${c.roundTrips} round trips, ${c.parses} parses`;
    counter.reset();
    await post(baseUrl, '/v1/events/batch', { items: makeEvents('count-b', BATCH) }, 202);
    const batch = per(BATCH);
    const singles = makeEvents('count-s', CLIENTS * 4);
    await concurrently(singles, CLIENTS, (event) => post(baseUrl, '/v1/events', event, 202));
    const single = per(singles.length);
    console.log(
      `Postgres per event (counted through a proxy, untimed): batch API ${text(batch)}; ` +
        `single API ${text(single)}`,
    );
    return {
      batchStatementsPerEvent: batch.statements,
      batchRoundTripsPerEvent: batch.roundTrips,
      singleStatementsPerEvent: single.statements,
      singleRoundTripsPerEvent: single.roundTrips,
      singleParsesPerEvent: single.parses,
    };
  } finally {
    await app.close();
    await handle.close();
    await counter.close();
  }
}

async function main(): Promise<void> {
  const perRound = Math.ceil(EVENTS / ROUNDS);
  const loadBefore = load();
  const cpuBefore = process.cpuUsage();
  const database = await createTestDatabase();
  const server = await startTemporalDevServer({});
  const connection = await Connection.connect({ address: server.address });
  // `socket` is a postgres.js option its type declarations leave out.
  const rawOptions = {
    max: POOL,
    onnotice: () => undefined,
    socket: () => noDelaySocket(database.url),
  };
  const raw = postgres(database.url, rawOptions);
  // postgres.js's default socket (Nagle on), for COPY only: shown beside, not used in the ratios.
  const nagle = postgres(database.url, { max: 1, onnotice: () => undefined });
  const shared = {
    db: database.db,
    temporal: new Client({ connection }),
    taskQueue: 'bench-ingest',
    defaultTimeZone: 'UTC',
  };
  const outboxSignal = createOutboxSignal();
  const app = await buildApi({ ...shared, outboxSignal, docsUi: false, apiKeys: [API_KEY] });
  let router: EventRouter | null = null;
  try {
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    await database.db
      .insert(customers)
      .values(Array.from({ length: CUSTOMERS }, (_, i) => ({ id: `customer-${i}` })));
    await post(baseUrl, '/v1/journeys', CART_JOURNEY, 201);
    for (const table of ['bench_multirow', 'bench_copy', 'bench_copy_nagle', 'bench_single']) {
      await raw.unsafe(`create table ${table} (like events including all)`);
      await raw.unsafe(
        `alter table ${table} add foreign key (customer_id) references customers (id)`,
      );
    }
    console.log(
      `ingest benchmark: ${perRound * ROUNDS} events per method in ${ROUNDS} interleaved rounds, ` +
        `batches of ${BATCH}, ${CLIENTS} concurrent clients, ${CUSTOMERS} customers, ` +
        `pool of ${POOL} connections each, ` +
        `${(TRIGGERING * 100).toFixed(0)}% of events starting a journey run, node ${process.version}, ` +
        `${os.cpus().length} cores, load ${loadBefore}`,
    );

    const results: Record<string, Figure[]> = {
      batchApi: [],
      insert: [],
      copy: [],
      copyNagle: [],
      singleApi: [],
      singleApiWorker: [],
      oneRow: [],
    };
    // Warm-up, not counted: opens both pools' connections and compiles the paths once.
    await post(baseUrl, '/v1/events/batch', { items: makeEvents('warm-b', BATCH) }, 202);
    await concurrently(makeEvents('warm-s', CLIENTS * 2), CLIENTS, (event) =>
      post(baseUrl, '/v1/events', event, 202),
    );
    await concurrently(makeEvents('warm-o', CLIENTS * 2), CLIENTS, async (event) => {
      await raw`insert into bench_single ${raw(toRow(event, new Date()), ...COLUMNS)}`;
    });
    await raw`delete from bench_single`;
    await nagle`select 1`;

    for (let round = 0; round < ROUNDS; round += 1) {
      const batches = chunks(makeEvents(`b${round}`, perRound), BATCH);
      results.batchApi!.push(
        await timed(perRound, async (latencies) => {
          for (const items of batches) {
            const started = performance.now();
            await post(baseUrl, '/v1/events/batch', { items }, 202);
            latencies.push(performance.now() - started);
          }
        }),
      );
      const insertBatches = chunks(makeEvents(`i${round}`, perRound), BATCH);
      results.insert!.push(
        await timed(perRound, async (latencies) => {
          for (const items of insertBatches) {
            const started = performance.now();
            const now = new Date();
            const rows = items.map((e) => toRow(e, now));
            await raw`insert into bench_multirow ${raw(rows, ...COLUMNS)}`;
            latencies.push(performance.now() - started);
          }
        }),
      );
      results.copy!.push(await copyRun(raw, 'bench_copy', makeEvents(`c${round}`, perRound)));
      results.copyNagle!.push(
        await copyRun(nagle, 'bench_copy_nagle', makeEvents(`n${round}`, perRound)),
      );
      results.singleApi!.push(
        await timed(perRound, (latencies) =>
          concurrently(makeEvents(`s${round}`, perRound), CLIENTS, async (event) => {
            const started = performance.now();
            await post(baseUrl, '/v1/events', event, 202);
            latencies.push(performance.now() - started);
          }),
        ),
      );
      results.singleApiWorker!.push(
        await singlesFromWorker(baseUrl, makeEvents(`w${round}`, perRound)),
      );
      results.oneRow!.push(
        await timed(perRound, (latencies) =>
          concurrently(makeEvents(`o${round}`, perRound), CLIENTS, async (event) => {
            const started = performance.now();
            const row = toRow(event, new Date());
            await raw`insert into bench_single ${raw(row, ...COLUMNS)}`;
            latencies.push(performance.now() - started);
          }),
        ),
      );
      const r = (name: string) => rate(results[name]![round]!).toFixed(0);
      console.log(
        `round ${round + 1}: batch API ${r('batchApi')}/s, INSERT ${r('insert')}/s, ` +
          `COPY ${r('copy')}/s, single API ${r('singleApi')}/s (clients in a worker ` +
          `${r('singleApiWorker')}/s), 1-row INSERT ${r('oneRow')}/s`,
      );
    }

    const all = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, merge(v)]));
    const row = (name: string, figure: Figure, unit: string) =>
      `${name.padEnd(38)} ${rate(figure).toFixed(0).padStart(8)} ${unit.padEnd(9)} ` +
      `p50 ${pct(figure, 0.5).toFixed(1).padStart(8)} ms  p99 ${pct(figure, 0.99).toFixed(1).padStart(8)} ms  ` +
      `max ${Math.max(...figure.latencies)
        .toFixed(1)
        .padStart(8)} ms`;
    console.log('');
    console.log(`${'method'.padEnd(38)} ${'rate'.padStart(8)} ${''.padEnd(9)} latency`);
    console.log(row(`batch API (${BATCH}/request)`, all.batchApi!, 'events/s') + '  per batch');
    console.log(
      row(`multi-row INSERT (${BATCH}/statement)`, all.insert!, 'rows/s') + '  per batch',
    );
    console.log(row(`COPY (${BATCH}/copy)`, all.copy!, 'rows/s') + '  per batch');
    console.log(
      row(`COPY, Nagle on (postgres.js default)`, all.copyNagle!, 'rows/s') + '  per batch',
    );
    console.log(row(`single API (${CLIENTS} clients)`, all.singleApi!, 'events/s') + '  per event');
    console.log(
      row(`single API (${CLIENTS} clients, worker)`, all.singleApiWorker!, 'events/s') +
        '  per event',
    );
    console.log(row(`1-row INSERT (${CLIENTS} callers)`, all.oneRow!, 'rows/s') + '  per row');
    const ratio = (a: Figure, b: Figure) => (rate(a) / rate(b)).toFixed(3);
    console.log('');
    // Few batches per method: one stall (a checkpoint, the neighbour's benchmark) moves the total;
    // the median batch time is the steadier figure.
    const byMedian = (a: Figure, b: Figure) => (pct(b, 0.5) / pct(a, 0.5)).toFixed(3);
    console.log(
      `batch API ÷ multi-row INSERT    ${ratio(all.batchApi!, all.insert!)}` +
        `  (by median batch time ${byMedian(all.batchApi!, all.insert!)})`,
    );
    console.log(
      `batch API ÷ COPY                ${ratio(all.batchApi!, all.copy!)}` +
        `  (by median batch time ${byMedian(all.batchApi!, all.copy!)})`,
    );
    console.log(
      `single API ÷ 1-row INSERT       ${ratio(all.singleApi!, all.oneRow!)}` +
        `  (clients in a worker thread ${ratio(all.singleApiWorker!, all.oneRow!)})`,
    );

    // Routing, untimed in the figures above: the router starts now and drains what the API
    // stored (the share of --triggering events starts a run each; the rest cost no Temporal call).
    const drainStarted = performance.now();
    router = startEventRouter({ ...shared, signal: outboxSignal });
    const [pending] = await raw<{ n: number }[]>`
      select count(*)::int as n from events where routed_at is null`;
    await waitUntilDrained(raw);
    const drainMs = performance.now() - drainStarted;
    const [routing] = await raw<
      { stored: number; unrouted: number; retried: number; slowest: number }[]
    >`
      select count(*)::int as stored,
             count(*) filter (where routed_at is null)::int as unrouted,
             count(*) filter (where routing_attempts > 1)::int as retried,
             coalesce(max(extract(epoch from routed_at - received_at) * 1000), 0)::float8 as slowest
        from events where id not like 'warm-%'`;
    const [runs] = await raw<{ started: number }[]>`
      select count(*)::int as started from journey_runs where trigger_event_id not like 'warm-%'`;
    const drainRate = ((pending?.n ?? 0) / drainMs) * 1000;
    console.log('');
    console.log(
      `routing (the router, after the API rounds): ${pending?.n} events drained in ` +
        `${drainMs.toFixed(0)} ms (${drainRate.toFixed(0)}/s); of the ${routing?.stored} API events ` +
        `unrouted ${routing?.unrouted}, routing_attempts > 1: ${routing?.retried}; ` +
        `journey runs started ${runs?.started}`,
    );
    await router.stop();
    router = null;
    const counts = await countQueries(database.url, shared);
    const cpu = process.cpuUsage(cpuBefore);
    console.log(
      `bench process CPU (API, router and clients) ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; ` +
        `load before ${loadBefore}, after ${load()}`,
    );
    const num = (value: string) => Number(value);
    console.log(
      'bench-result: ' +
        JSON.stringify({
          section: 'ingest',
          events: perRound * ROUNDS,
          batch: BATCH,
          clients: CLIENTS,
          batchApiPerSec: Math.round(rate(all.batchApi!)),
          insertPerSec: Math.round(rate(all.insert!)),
          singleApiPerSec: Math.round(rate(all.singleApi!)),
          oneRowPerSec: Math.round(rate(all.oneRow!)),
          batchApiOverInsert: num(ratio(all.batchApi!, all.insert!)),
          batchApiOverInsertByMedian: num(byMedian(all.batchApi!, all.insert!)),
          batchApiOverCopy: num(ratio(all.batchApi!, all.copy!)),
          singleApiOverOneRow: num(ratio(all.singleApi!, all.oneRow!)),
          singleApiWorkerPerSec: Math.round(rate(all.singleApiWorker!)),
          singleApiWorkerOverOneRow: num(ratio(all.singleApiWorker!, all.oneRow!)),
          singleApiP50Ms: num(pct(all.singleApi!, 0.5).toFixed(1)),
          routerDrainMs: Math.round(drainMs),
          routerDrainPerSec: Math.round(drainRate),
          unrouted: routing?.unrouted ?? null,
          ...counts,
          loadBefore,
          loadAfter: load(),
        }),
    );
  } finally {
    clientAgent.destroy();
    await router?.stop();
    await app.close();
    await raw.end({ timeout: 5 });
    await nagle.end({ timeout: 5 });
    await connection.close();
    await server.stop();
    await database.close();
  }
}

/** Until no event is left unrouted (a bench: bounded by a generous deadline, not a test). */
async function waitUntilDrained(sql: postgres.Sql): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const [left] = await sql<{ n: number }[]>`
      select count(*)::int as n from events where routed_at is null`;
    if ((left?.n ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`${left?.n} events still unrouted`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
