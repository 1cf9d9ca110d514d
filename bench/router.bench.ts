// Router benchmark: how fast stored events leave the outbox, and what each costs. Three kinds
// of event, N of each: no journey interest (no Temporal call at all), triggering (one run start
// each) and signalling (one signal each to a running run). Timed on a direct pool; then counted
// (statements, round trips, parses per event) on a second, smaller set through a counting proxy,
// untimed. Temporal calls are counted with a client interceptor. Runs the public router API
// only (routePendingEvents), so the same file measures an older tree for a before/after.
//   npx tsx bench/router.bench.ts [--events 1000] [--counted 200]
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { publishVersion } from '../src/catalogue';
import { openDatabase, type Database } from '../src/db/database';
import { customers, events } from '../src/db/schema';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server';
import { parseJourneyDefinition } from '../src/journeys/validate';
import { routePendingEvents } from '../src/routing/event-router';
import { createTestDatabase } from '../test/support/test-database';
import { countRoundTrips } from './pg-round-trips';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000' },
    counted: { type: 'string', default: '200' },
  },
});
const EVENTS = Number(values.events);
const COUNTED = Number(values.counted);
const BATCH = 100;

const TOUR = parseJourneyDefinition({
  id: 'tour',
  name: 'Product tour',
  trigger: { event: 'signed_up' },
  reEntry: { mode: 'once' },
  entry: 'look',
  steps: [{ id: 'look', type: 'waitForEvent', event: 'page_viewed', timeout: '1d' }],
});

type Kind = 'quiet' | 'triggering' | 'signalling';
const calls = { count: 0 };
const counting: WorkflowClientInterceptor = {
  signal: (input, next) => ((calls.count += 1), next(input)),
  signalWithStart: (input, next) => ((calls.count += 1), next(input)),
};

/** N events of a kind, for customers `${prefix}-i` (created here for triggering ones). */
async function store(db: Database, kind: Kind, prefix: string, n: number): Promise<void> {
  if (kind !== 'signalling')
    await db
      .insert(customers)
      .values(Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}` })));
  const now = new Date();
  const type = { quiet: 'noise', triggering: 'signed_up', signalling: 'page_viewed' }[kind];
  for (let i = 0; i < n; i += 500) {
    await db.insert(events).values(
      Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
        id: `${kind}-${prefix}-${i + j}`,
        customerId: `${prefix}-${i + j}`,
        type,
        occurredAt: now,
        receivedAt: now,
        nextRoutingAt: now,
        source: 'bench',
      })),
    );
  }
}

async function drain(db: Database, temporal: Client): Promise<void> {
  const options = {
    db,
    temporal,
    taskQueue: 'bench-router',
    defaultTimeZone: 'UTC',
    batchSize: BATCH,
  };
  while ((await routePendingEvents(options)) > 0);
}

async function main(): Promise<void> {
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  const loadBefore = load();
  const database = await createTestDatabase();
  const server = await startTemporalDevServer({});
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection, interceptors: { workflow: [counting] } });
  const counter = await countRoundTrips(database.url);
  const counted = await openDatabase({ url: counter.url, maxConnections: 20 });
  const result: Record<string, number> = {};
  try {
    await publishVersion(database.db, TOUR);
    console.log(
      `router benchmark: ${EVENTS} events of each kind timed, ${COUNTED} counted, batches of ${BATCH}, ` +
        `node ${process.version}, ${os.cpus().length} cores, load ${loadBefore}`,
    );
    for (const kind of ['quiet', 'triggering', 'signalling'] as const) {
      // Signalling events go to the runs the triggering ones started (same customer prefix).
      const timedPrefix = kind === 'quiet' ? 'tq' : 'tt';
      const countedPrefix = kind === 'quiet' ? 'cq' : 'ct';
      await store(database.db, kind, timedPrefix, EVENTS);
      calls.count = 0;
      const started = performance.now();
      await drain(database.db, temporal);
      const ms = performance.now() - started;
      const temporalCalls = calls.count / EVENTS;

      await store(database.db, kind, countedPrefix, COUNTED);
      counter.reset();
      await drain(counted.db, temporal);
      const { roundTrips, executes, parses } = counter.counts();
      const rate = (EVENTS / ms) * 1000;
      result[`${kind}PerSecond`] = Math.round(rate);
      result[`${kind}RoundTripsPerEvent`] = Number((roundTrips / COUNTED).toFixed(2));
      result[`${kind}TemporalCallsPerEvent`] = Number(temporalCalls.toFixed(2));
      console.log(
        `${kind.padEnd(10)} ${rate.toFixed(0).padStart(6)} events/s; per event ` +
          `${(executes / COUNTED).toFixed(2)} statements, ${(roundTrips / COUNTED).toFixed(2)} round trips, ` +
          `${(parses / COUNTED).toFixed(2)} parses, ${temporalCalls.toFixed(2)} Temporal calls`,
      );
    }
    console.log(`load before ${loadBefore}, after ${load()}`);
    console.log(
      `bench-result: ${JSON.stringify({ section: 'router', events: EVENTS, ...result })}`,
    );
  } finally {
    await counted.close();
    await counter.close();
    await connection.close();
    await server.stop();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
