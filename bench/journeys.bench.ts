// Journey throughput against its bare part. In one process run, on one Temporal dev server, one
// Postgres and one SMTP server: N Cairn runs of a journey with three transactional email steps
// (started as the router starts them, on the real worker and activities), then N bare Temporal
// workflows sending three emails through raw nodemailer with the same pool settings on a worker
// of their own. Prints runs/s and process CPU per run for both, the ratios, the history shape of
// one run of each, and Postgres statements per Cairn run.
// Run with `npm run bench:journeys -- --runs 100`; prints figures, asserts nothing.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { publishVersion } from '../src/catalogue';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { customers } from '../src/db/schema';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server';
import { journey } from '../src/journeys/builders';
import type { JourneyEvent } from '../src/journeys/run-types';
import { startJourneyRun, type RoutingDeps } from '../src/routing';
import { activitiesFromConfig } from '../src/runtime/activity-deps';
import { createJourneyWorker } from '../src/runtime/journey-worker';
import type { JourneyWorkflowResult } from '../src/workflows/journey';
import { createBareActivities } from './bare-workflow/activities';
import type { bareThreeEmails } from './bare-workflow/workflows';
import { openCountingDatabase, roundTrips, type StatementCount } from './support/counting-database';
import { startSmtpSink } from './support/smtp-sink';

const POSTGRES_URL =
  process.env.CAIRN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CAIRN_QUEUE = 'bench-cairn';
const BARE_QUEUE = 'bench-bare';
const SUBJECTS = ['First', 'Second', 'Third'];

const threeEmails = journey('bench-three-emails')
  .name('Bench: three emails')
  .trigger('bench_order')
  .steps((s) =>
    SUBJECTS.map((subject, index) =>
      s.send(`email_${index + 1}`, {
        kind: 'transactional',
        content: { subject, html: `<p>Order {{trigger.order_id}}: ${subject.toLowerCase()}</p>` },
      }),
    ),
  )
  .build();

interface Options {
  runs: number;
  warmup: number;
  concurrency: number;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const at = argv.indexOf(`--${name}`);
    const parsed = at >= 0 ? Number(argv[at + 1]) : fallback;
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a count`);
    return parsed;
  };
  return {
    runs: value('runs', 300),
    warmup: value('warmup', 10),
    concurrency: value('concurrency', 20),
  };
}

/** CPU seconds (user + system) a child process has used so far, from /proc (Linux). */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // CLK_TCK is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

interface Phase {
  label: string;
  runs: number;
  seconds: number;
  startSeconds: number;
  cpuSeconds: number;
  serverCpuSeconds: number;
  smtpCpuSeconds: number;
  failed: number;
  emails: number;
  last: WorkflowHandle;
}

interface Servers {
  devServerPid: number;
  smtp: { pid: number; count(): Promise<number> };
}

/**
 * Starts `runs` runs, at most `concurrency` starts in flight, and waits until every one has
 * finished. Timed from the first start to the last completion.
 */
async function phase(
  label: string,
  runs: number,
  concurrency: number,
  servers: Servers,
  start: (index: number) => Promise<WorkflowHandle>,
  ok: (result: unknown) => boolean,
): Promise<Phase> {
  const emailsBefore = await servers.smtp.count();
  const results: Promise<boolean>[] = [];
  const handles: WorkflowHandle[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const serverCpu = cpuSecondsOf(servers.devServerPid);
  const smtpCpu = cpuSecondsOf(servers.smtp.pid);
  const began = performance.now();
  const lane = async () => {
    for (let index = next++; index < runs; index = next++) {
      const handle = await start(index);
      handles.push(handle);
      results.push(handle.result().then(ok, () => false));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, lane));
  const startSeconds = (performance.now() - began) / 1000;
  const outcomes = await Promise.all(results);
  const seconds = (performance.now() - began) / 1000;
  const used = process.cpuUsage(cpu);
  const serverCpuSeconds = cpuSecondsOf(servers.devServerPid) - serverCpu;
  const smtpCpuSeconds = cpuSecondsOf(servers.smtp.pid) - smtpCpu;
  return {
    label,
    runs,
    seconds,
    startSeconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    serverCpuSeconds,
    smtpCpuSeconds,
    failed: outcomes.filter((passed) => !passed).length,
    emails: (await servers.smtp.count()) - emailsBefore,
    last: handles[handles.length - 1]!,
  };
}

function printPhase(p: Phase): void {
  console.log(
    `${p.label.padEnd(6)} ${p.runs} runs in ${p.seconds.toFixed(2)} s (all started after ` +
      `${p.startSeconds.toFixed(2)} s): ${(p.runs / p.seconds).toFixed(1)} runs/s, ` +
      `${((p.cpuSeconds / p.runs) * 1000).toFixed(1)} ms CPU/run in this process ` +
      `(dev server ${((p.serverCpuSeconds / p.runs) * 1000).toFixed(1)} ms/run, ` +
      `SMTP server ${((p.smtpCpuSeconds / p.runs) * 1000).toFixed(1)} ms/run); ` +
      `${p.emails} emails received, ${p.failed} runs failed`,
  );
}

const EventType = temporal.api.enums.v1.EventType;

async function printShape(label: string, handle: WorkflowHandle): Promise<void> {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const count = (type: temporal.api.enums.v1.EventType) =>
    events.filter((event) => event.eventType === type).length;
  const activities = events
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => Boolean(name));
  const bytes = temporal.api.history.v1.History.encode(history).finish().length;
  console.log(
    `${label.padEnd(6)} ${count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)} activities ` +
      `(${activities.join(', ')}), ${count(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)} workflow ` +
      `tasks, ${count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)} search-attribute ` +
      `upserts, ${count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)} signals, ` +
      `${events.length} history events, ${(bytes / 1024).toFixed(1)} KB of history`,
  );
  if (process.argv.includes('--show-events')) {
    for (const event of events) {
      const name = EventType[event.eventType ?? 0]?.replace('EVENT_TYPE_', '') ?? '?';
      const upsert = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes;
      const keys = upsert ? ` ${Object.keys(upsert.indexedFields ?? {}).join(',')}` : '';
      console.log(`       ${event.eventId} ${name}${keys}`);
    }
  }
}

function snapshot(count: StatementCount): StatementCount {
  return { ...count };
}

function since(count: StatementCount, before: StatementCount): StatementCount {
  return {
    statements: count.statements - before.statements,
    described: count.described - before.described,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const load = () =>
    os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' ');
  console.log(
    `journeys benchmark: ${options.runs} runs each, ${options.warmup} warm-up runs each, ` +
      `${options.concurrency} starts in flight; ${os.cpus().length} cores, load average ` +
      `${load()}, node ${process.version}`,
  );

  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const devServer = await startTemporalDevServer({});
    cleanups.unshift(() => devServer.stop());
    const smtp = await startSmtpSink();
    cleanups.unshift(() => smtp.stop());

    // A database of its own, migrated, dropped at the end.
    const name = `cairn_bench_${randomBytes(6).toString('hex')}`;
    const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    cleanups.unshift(async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    });
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    await (await openDatabase({ url: url.toString() })).close();

    // The API process's pool (the router) and the worker process's, each as openDatabase opens them.
    const routerDb = openCountingDatabase(url.toString());
    const workerDb = openCountingDatabase(url.toString());
    cleanups.unshift(
      () => routerDb.close(),
      () => workerDb.close(),
    );

    const config = loadConfig({
      DATABASE_URL: url.toString(),
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_TASK_QUEUE: CAIRN_QUEUE,
      SMTP_URL: smtp.url,
      EMAIL_FROM: 'Cairn Bench <bench@cairn.test>',
    });
    const clientConnection = await Connection.connect({ address: devServer.address });
    cleanups.unshift(() => clientConnection.close());
    const client = new Client({ connection: clientConnection });
    const workerConnection = await NativeConnection.connect({ address: devServer.address });
    cleanups.unshift(() => workerConnection.close());

    const cairnWorker = await createJourneyWorker({
      connection: workerConnection,
      namespace: 'default',
      taskQueue: CAIRN_QUEUE,
      activities: activitiesFromConfig(config, workerDb.handle, smtp.url),
    });
    const bare = createBareActivities(smtp.url, config.emailFrom);
    const bareWorker = await Worker.create({
      connection: workerConnection,
      namespace: 'default',
      taskQueue: BARE_QUEUE,
      workflowsPath: require.resolve('./bare-workflow/workflows'),
      activities: bare.activities,
      maxConcurrentActivityTaskExecutions: 50, // createJourneyWorker's default
    });
    const running = Promise.all([cairnWorker.run(), bareWorker.run()]);
    cleanups.unshift(async () => {
      cairnWorker.shutdown();
      bareWorker.shutdown();
      await running;
      bare.close();
    });

    const { version } = await publishVersion(routerDb.handle.db, threeEmails);
    const ids = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    const all = [...ids('warm', options.warmup), ...ids('run', options.runs)];
    for (let i = 0; i < all.length; i += 500) {
      await routerDb.handle.db
        .insert(customers)
        .values(all.slice(i, i + 500).map((id) => ({ id, email: `${id}@bench.test` })));
    }

    const deps: RoutingDeps = {
      db: routerDb.handle.db,
      temporal: client,
      taskQueue: CAIRN_QUEUE,
      defaultTimeZone: config.defaultTimeZone,
      sendPolicy: config.sendPolicy,
      ...(config.sendWindow ? { defaultSendWindow: config.sendWindow } : {}),
    };
    const startCairn = (prefix: string) => async (index: number) => {
      const customerId = `${prefix}-${index}`;
      const trigger: JourneyEvent = {
        id: `order-${customerId}`,
        type: 'bench_order',
        customerId,
        occurredAt: new Date().toISOString(),
        properties: { order_id: `A-${index}` },
      };
      const outcome = await startJourneyRun(deps, {
        journeyId: threeEmails.id,
        version,
        definition: threeEmails,
        customerId,
        key: null,
        trigger,
        signalIfRunning: true,
      });
      if (outcome.kind !== 'started') throw new Error(`run not started: ${outcome.kind}`);
      return client.workflow.getHandle(outcome.workflowId);
    };
    const cairnOk = (result: unknown) => (result as JourneyWorkflowResult).status === 'completed';
    const startBare = (prefix: string) => (index: number) =>
      client.workflow.start<typeof bareThreeEmails>('bareThreeEmails', {
        workflowId: `bare:${prefix}-${index}`,
        taskQueue: BARE_QUEUE,
        args: [{ to: `${prefix}-${index}@bench.test`, subjects: SUBJECTS }],
      });
    const bareOk = (result: unknown) => result === SUBJECTS.length;
    const servers: Servers = { devServerPid: devServer.pid, smtp };

    const { warmup, runs, concurrency } = options;
    await phase('warm', warmup, concurrency, servers, startCairn('warm'), cairnOk);
    await phase('warm', warmup, concurrency, servers, startBare('warm'), bareOk);

    const before = {
      router: snapshot(routerDb.main),
      worker: snapshot(workerDb.main),
      gate: snapshot(workerDb.gate),
    };
    const cairn = await phase('Cairn', runs, concurrency, servers, startCairn('run'), cairnOk);
    const statements = {
      router: since(routerDb.main, before.router),
      worker: since(workerDb.main, before.worker),
      gate: since(workerDb.gate, before.gate),
    };
    const baseline = await phase('bare', runs, concurrency, servers, startBare('run'), bareOk);

    printPhase(cairn);
    printPhase(baseline);
    const cairnRate = cairn.runs / cairn.seconds;
    const bareRate = baseline.runs / baseline.seconds;
    const perCpu = (p: Phase) => p.runs / p.cpuSeconds;
    console.log(
      `ratio  Cairn ÷ bare: ${(cairnRate / bareRate).toFixed(2)} of the throughput, ` +
        `${(perCpu(cairn) / perCpu(baseline)).toFixed(2)} of the runs per CPU second ` +
        `(${perCpu(cairn).toFixed(1)} vs ${perCpu(baseline).toFixed(1)}); dev server CPU per run ` +
        `${(cairn.serverCpuSeconds / baseline.serverCpuSeconds).toFixed(2)}×`,
    );

    console.log('history of one run:');
    await printShape('Cairn', cairn.last);
    await printShape('bare', baseline.last);

    // The worker's pools (activities and consent gate) and, apart, the router's start queries.
    const per = (n: number) => (n / runs).toFixed(1);
    const worker = {
      statements: statements.worker.statements + statements.gate.statements,
      described: statements.worker.described + statements.gate.described,
    };
    const trips = roundTrips(worker);
    console.log(
      `Postgres per Cairn run (mean of ${runs}): the worker ${per(worker.statements)} statements, ` +
        `${per(trips)} round trips (${per(trips / SUBJECTS.length)} per email; consent gate ` +
        `${per(roundTrips(statements.gate))}), ${((worker.described / trips) * 100).toFixed(0)}% ` +
        `of them describe-only; the router's start ${per(statements.router.statements)} ` +
        `statements, ${per(roundTrips(statements.router))} round trips`,
    );
    console.log(`load average at the end: ${load()}`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error(error));
  }
}

void main();
