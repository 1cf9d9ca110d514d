// Journey throughput against its bare part. In one process run, on one Temporal dev server, one
// Postgres and one SMTP server: N Cairn runs of a journey with three transactional email steps
// (started as the router starts them, on the real worker and activities), then N bare Temporal
// workflows sending three emails through raw nodemailer with the same pool settings on a worker
// of their own. Prints runs/s and CPU per run (this process, the dev server, SMTP, Postgres) for
// both, the ratios, the history shape of one run of each, and Postgres statements per Cairn run;
// its last line is `bench-result: {…}`.
// Run with `npm run bench:journeys -- --runs 100`; prints figures, asserts nothing.
//
// Worker settings are compared with `--variant <name>=<json>` (repeatable; the JSON replaces
// some of JOURNEY_WORKER_TUNING and may set `pool` and `gatePool`, the worker's Postgres pools,
// `bundle`, the path of a workflow bundle built from other workflow code, e.g. an earlier
// commit's, and `"sends":"bare"`, Cairn's workflow with the bare workflow's send and no registry
// write, which shows how much of the gap is the workflow's and how much the send path's) and `--rounds <n>`: every variant gets a worker and pools of its own, and each round
// runs every variant and the bare workflow once, in an order rotated per round. `--show-events`
// prints the event types of the runs whose shape is shown.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { publishVersion } from '../src/catalogue';
import { loadConfig } from '../src/config';
import { customers } from '../src/db/schema';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server';
import { journey } from '../src/journeys/builders';
import type { JourneyEvent } from '../src/journeys/run-types';
import { startJourneyRun, type RoutingDeps } from '../src/routing';
import { activitiesFromConfig, WORKER_POOLS } from '../src/runtime/activity-deps';
import { createJourneyWorker, type WorkerTuning } from '../src/runtime/journey-worker';
import type { JourneyWorkflowResult } from '../src/workflows/journey';
import { createBareActivities } from './bare-workflow/activities';
import type { bareThreeEmails } from './bare-workflow/workflows';
import { openCountingDatabase, roundTrips, type StatementCount } from './support/counting-database';
import { phase, printPhase, printShape, type Phase, type Servers } from './support/run-phases';
import { createBenchDatabase } from './support/bench-database';
import { startSmtpSink } from './support/smtp-sink';
import { workflowOnlyActivities } from './support/workflow-only-activities';

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

interface Variant {
  name: string;
  tuning: Partial<WorkerTuning>;
  pools: { maxConnections: number; gateConnections: number };
  /** A workflow bundle built from other workflow code (e.g. an earlier commit's), to compare. */
  bundle?: string;
  /** `bare`: the sends are raw nodemailer (bench/support/workflow-only-activities.ts). */
  sends?: 'bare';
}

interface Options {
  runs: number;
  warmup: number;
  concurrency: number;
  rounds: number;
  variants: Variant[];
}

function parseOptions(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const at = argv.indexOf(`--${name}`);
    const parsed = at >= 0 ? Number(argv[at + 1]) : fallback;
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a count`);
    return parsed;
  };
  const variants = argv.flatMap((arg, i) =>
    arg === '--variant' ? [parseVariant(argv[i + 1])] : [],
  );
  return {
    runs: value('runs', 300),
    warmup: value('warmup', 10),
    concurrency: value('concurrency', 20),
    rounds: value('rounds', 1),
    variants: variants.length > 0 ? variants : [parseVariant('chosen={}')],
  };
}

function parseVariant(text: string | undefined): Variant {
  const at = text?.indexOf('=') ?? -1;
  if (!text || at < 1) throw new Error('--variant takes <name>=<json>');
  const { pool, gatePool, bundle, sends, ...tuning } = JSON.parse(text.slice(at + 1)) as Partial<
    WorkerTuning & Pick<Variant, 'bundle' | 'sends'> & { pool: number; gatePool: number }
  >;
  if (sends !== undefined && sends !== 'bare') throw new Error('"sends" can only be "bare"');
  return {
    name: text.slice(0, at),
    tuning,
    ...(bundle ? { bundle } : {}),
    ...(sends ? { sends } : {}),
    pools: {
      maxConnections: pool ?? WORKER_POOLS.maxConnections,
      gateConnections: gatePool ?? WORKER_POOLS.gateConnections,
    },
  };
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
    const database = await createBenchDatabase();
    cleanups.unshift(() => database.drop());

    // The API process's pool (the router) and, per variant, the worker process's pools.
    const routerDb = openCountingDatabase(database.url);
    cleanups.unshift(() => routerDb.close());

    const config = loadConfig({
      DATABASE_URL: database.url,
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

    const workers: Worker[] = [];
    const cairns = await Promise.all(
      options.variants.map(async (variant) => {
        const db = openCountingDatabase(
          database.url,
          variant.pools.maxConnections,
          variant.pools.gateConnections,
        );
        cleanups.unshift(() => db.close());
        const taskQueue = `${CAIRN_QUEUE}-${variant.name}`;
        let activities = activitiesFromConfig(config, db.handle, smtp.url, {
          identifierKey: { secret: randomBytes(32).toString('base64') },
          temporal: { client, taskQueue },
        });
        if (variant.sends === 'bare') {
          const workflowOnly = workflowOnlyActivities(activities, smtp.url, config.emailFrom);
          cleanups.unshift(() => Promise.resolve(workflowOnly.close()));
          activities = workflowOnly.activities;
        }
        const worker = await createJourneyWorker({
          connection: workerConnection,
          namespace: 'default',
          taskQueue,
          activities,
          tuning: variant.tuning,
          ...(variant.bundle ? { workflowBundle: { codePath: variant.bundle } } : {}),
        });
        workers.push(worker);
        return { variant, db, taskQueue };
      }),
    );
    const bare = createBareActivities(smtp.url, config.emailFrom);
    const bareWorker = await Worker.create({
      connection: workerConnection,
      namespace: 'default',
      taskQueue: BARE_QUEUE,
      workflowsPath: require.resolve('./bare-workflow/workflows'),
      activities: bare.activities,
      maxConcurrentActivityTaskExecutions: 50, // the journey worker's before it was measured
    });
    workers.push(bareWorker);
    const running = Promise.all(workers.map((worker) => worker.run()));
    cleanups.unshift(async () => {
      for (const worker of workers) worker.shutdown();
      await running;
      bare.close();
    });

    const { version } = await publishVersion(routerDb.handle.db, threeEmails);
    const ids = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    const all = cairns.flatMap(({ variant }) => [
      ...ids(`warm-${variant.name}`, options.warmup),
      ...Array.from({ length: options.rounds }, (_, round) =>
        ids(`run-${variant.name}-${round}`, options.runs),
      ).flat(),
    ]);
    for (let i = 0; i < all.length; i += 500) {
      await routerDb.handle.db
        .insert(customers)
        .values(all.slice(i, i + 500).map((id) => ({ id, email: `${id}@bench.test` })));
    }

    const startCairn = (taskQueue: string, prefix: string) => {
      const deps: RoutingDeps = {
        db: routerDb.handle.db,
        temporal: client,
        taskQueue,
        defaultTimeZone: config.defaultTimeZone,
        sendPolicy: config.sendPolicy,
        ...(config.sendWindow ? { defaultSendWindow: config.sendWindow } : {}),
      };
      return async (index: number) => {
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
    for (const { variant, taskQueue } of cairns) {
      await phase(
        'warm',
        warmup,
        concurrency,
        servers,
        startCairn(taskQueue, `warm-${variant.name}`),
        cairnOk,
      );
    }
    await phase('warm', warmup, concurrency, servers, startBare('warm'), bareOk);

    // Each round: every variant and the bare workflow once, the order rotated per round.
    const results = cairns.map((cairn) => ({ ...cairn, phases: [] as Measured[] }));
    const bares: Phase[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      const lanes = [null, ...results];
      const order = lanes.map((_, i) => lanes[(i + round) % lanes.length]!);
      for (const lane of order) {
        if (lane === null) {
          bares.push(
            await phase('bare', runs, concurrency, servers, startBare(`run-${round}`), bareOk),
          );
          continue;
        }
        const before = { main: { ...lane.db.main }, gate: { ...lane.db.gate } };
        const label = lane.variant.name;
        const start = startCairn(lane.taskQueue, `run-${label}-${round}`);
        const measured = await phase(label, runs, concurrency, servers, start, cairnOk);
        lane.phases.push({
          ...measured,
          round,
          roundTrips:
            roundTrips(since(lane.db.main, before.main)) +
            roundTrips(since(lane.db.gate, before.gate)),
          statements:
            since(lane.db.main, before.main).statements +
            since(lane.db.gate, before.gate).statements,
        });
      }
    }
    for (const p of [...results.flatMap((r) => r.phases), ...bares]) printPhase(p);

    const rate = (p: Phase) => p.runs / p.seconds;
    // Every part's CPU: this process (worker and router), the dev server, SMTP and Postgres.
    const perCpu = (p: Phase) =>
      p.runs / (p.cpuSeconds + p.serverCpuSeconds + p.smtpCpuSeconds + p.postgresCpuSeconds);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const summaries = results.map(({ variant, phases }) => {
      const ratios = phases.map((p) => rate(p) / rate(bares[p.round]!));
      const cpuRatios = phases.map((p) => perCpu(p) / perCpu(bares[p.round]!));
      const summary = {
        variant: variant.name,
        tuning: variant.tuning,
        pools: variant.pools,
        runsPerSecond: round2(mean(phases.map(rate))),
        ratio: round2(mean(ratios)),
        ratios: ratios.map(round2),
        perCpuRatio: round2(mean(cpuRatios)),
        roundTripsPerRun: round2(mean(phases.map((p) => p.roundTrips / p.runs))),
        statementsPerRun: round2(mean(phases.map((p) => p.statements / p.runs))),
      };
      console.log(
        `ratio  ${variant.name} ÷ bare: ${summary.ratio.toFixed(2)} of the throughput ` +
          `(rounds ${summary.ratios.join(', ')}), ${summary.perCpuRatio.toFixed(2)} of the runs ` +
          `per CPU second of all parts; ${summary.runsPerSecond} runs/s; Postgres per run ` +
          `${summary.statementsPerRun} statements, ${summary.roundTripsPerRun} round trips ` +
          `(${(summary.roundTripsPerRun / SUBJECTS.length).toFixed(1)} per email)`,
      );
      return summary;
    });

    console.log('history of one run:');
    const first = results[0]!;
    const cairnShape = await printShape(first.variant.name, first.phases.at(-1)!.last);
    const bareShape = await printShape('bare', bares.at(-1)!.last);
    console.log(`load average at the end: ${load()}`);
    const bareRate = mean(bares.map(rate));
    console.log(
      `bench-result: ${JSON.stringify({
        section: 'journeys',
        runs,
        rounds: options.rounds,
        concurrency,
        cores: os.cpus().length,
        cairnRunsPerSecond: summaries[0]!.runsPerSecond,
        bareRunsPerSecond: round2(bareRate),
        ratio: summaries[0]!.ratio,
        perCpuRatio: summaries[0]!.perCpuRatio,
        roundTripsPerRun: summaries[0]!.roundTripsPerRun,
        history: { cairn: cairnShape, bare: bareShape },
        variants: summaries,
        loadAverage: os.loadavg().map(round2),
      })}`,
    );
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error(error));
  }
}

interface Measured extends Phase {
  round: number;
  roundTrips: number;
  statements: number;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

void main();
