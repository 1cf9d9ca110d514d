// Starting and cancelling many parked runs, against bare Temporal (issue 9). In one process run,
// on one Temporal dev server and one Postgres: Cairn in its production shape (`npm run api` and
// `npm run worker` as child processes) starts N runs of a journey that waits 1 hour, through the
// bulk API (POST /v1/journeys/:id/runs/batch, 500 a request, 32 starts in flight in the API);
// then bare Temporal starts N workflows that sleep 1 hour (32 starts in flight). Each is timed
// until every run is started AND parked (its first workflow task done, nothing pending: asked
// through DescribeWorkflowExecution the same way for both). Then the Cairn worker's memory with
// the N parked runs and again after --settle-seconds; then cancelling: Cairn's bulk cancel by
// journey (POST /v1/runs/cancel, pages of 500, 32 signals in flight) against 32 concurrent bare
// handle.cancel() calls, each timed until visibility counts no running workflow. Targets: both
// within 2× of bare; no memory growth. Ends with `bench-result:` lines.
// Run with `npx tsx bench/parked-runs.bench.ts --runs 5000 --settle-seconds 120`; asserts nothing.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import type { JourneyDefinitionInput } from '../src/contract/journeys';
import { JOURNEY_WORKFLOW_TYPE } from '../src/workflows/messages';
import {
  countOption,
  inLanes,
  loadAverage,
  printBenchResult,
  round,
  until,
} from './pipeline/bench-support';
import { BARE_QUEUE, CAIRN_QUEUE, bulkStart, startBenchStack } from './pipeline/bench-stack';
import { runningCount, untilAllParked } from './pipeline/parked';
import { treeCpuSeconds, treeMemory } from './pipeline/process-memory';

const JOURNEY = 'bench-parked';
const CONCURRENCY = 32; // the bare side's starts and cancels in flight; the bulk API's own bound
const START_TARGET = 2;
const MEMORY_TARGET = 1.05;

const parked: JourneyDefinitionInput = {
  id: JOURNEY,
  name: 'Bench: parked for an hour',
  trigger: { event: 'bench_parked' },
  reEntry: { mode: 'after_exit' },
  entry: 'hold',
  steps: [
    { id: 'hold', type: 'wait', for: '1h', next: 'mail' },
    {
      id: 'mail',
      type: 'send',
      channel: 'email',
      kind: 'transactional',
      content: { subject: 'An hour later', html: '<p>Hello</p>' },
      next: 'done',
    },
    { id: 'done', type: 'exit' },
  ],
};

const seconds = (from: number) => (performance.now() - from) / 1000;

interface Timed {
  started: number;
  parked: number;
  workerCpu: number;
  serverCpu: number;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = countOption(argv, 'runs', 5000);
  const settle = countOption(argv, 'settle-seconds', 120);
  const loadBefore = loadAverage();
  console.log(
    `parked-runs benchmark: ${runs} runs each, ${CONCURRENCY} starts/cancels in flight on each ` +
      `side, memory settle ${settle} s; ${os.cpus().length} cores, load ${loadBefore}, node ${process.version}`,
  );
  const stack = await startBenchStack();
  try {
    const { client, temporal, servers, cairn } = stack;
    const sql = postgres(servers.databaseUrl, { max: 1, onnotice: () => undefined });
    await sql`insert into customers (id, email)
      select 'park-' || g, 'park-' || g || '@bench.test' from generate_series(0, ${runs - 1}) g`;
    await sql.end();
    await client.createJourney(parked);
    const customerIds = Array.from({ length: runs }, (_, i) => `park-${i}`);
    const serverPid = servers.devServer.pid;

    const timeStart = async (start: () => Promise<string[]>): Promise<Timed> => {
      const workerCpu = treeCpuSeconds(cairn.workerPid);
      const serverCpu = treeCpuSeconds(serverPid);
      const began = performance.now();
      const ids = await start();
      const started = seconds(began);
      await untilAllParked(temporal, ids, CONCURRENCY, 3_600_000);
      return {
        started,
        parked: seconds(began),
        workerCpu: treeCpuSeconds(cairn.workerPid) - workerCpu,
        serverCpu: treeCpuSeconds(serverPid) - serverCpu,
      };
    };
    const cairnStart = await timeStart(() => bulkStart(client, JOURNEY, customerIds));
    const bareStart = await timeStart(async () => {
      const ids = customerIds.map((id) => `bare-${id}`);
      await inLanes(runs, CONCURRENCY, async (i) => {
        await temporal.workflow.start('bareParked', {
          workflowId: ids[i] as string,
          taskQueue: BARE_QUEUE,
          args: [],
        });
      });
      return ids;
    });
    const show = (label: string, t: Timed) =>
      console.log(
        `${label.padEnd(6)} ${runs} runs started in ${t.started.toFixed(1)} s, all parked after ` +
          `${t.parked.toFixed(1)} s (${(runs / t.parked).toFixed(1)} runs/s); dev server CPU ` +
          `${t.serverCpu.toFixed(1)} s, Cairn worker CPU ${t.workerCpu.toFixed(1)} s`,
      );
    show('Cairn', cairnStart);
    show('bare', bareStart);
    const startRatio = cairnStart.parked / bareStart.parked;
    console.log(
      `ratio  start + park, Cairn ÷ bare: ${startRatio.toFixed(2)}× (target ≤ ${START_TARGET})`,
    );

    const atParked = treeMemory(cairn.workerPid);
    console.log(
      `Cairn worker (pid ${atParked.pid}) RSS with ${runs} parked runs: ${atParked.rssMiB.toFixed(1)} MiB ` +
        `(npm run worker's process tree ${atParked.treeMiB.toFixed(1)} MiB); settling ${settle} s`,
    );
    await sleep(settle * 1000);
    const afterSettle = treeMemory(cairn.workerPid);
    const growth = afterSettle.rssMiB - atParked.rssMiB;
    console.log(
      `Cairn worker RSS after ${settle} s: ${afterSettle.rssMiB.toFixed(1)} MiB ` +
        `(growth ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB)`,
    );

    const timeCancel = async (type: string, queue: string, cancel: () => Promise<void>) => {
      const began = performance.now();
      await cancel();
      const requested = seconds(began);
      await until(
        `every ${type} closed`,
        async () => (await runningCount(temporal, type, queue)) === 0,
        3_600_000,
        250,
      );
      return { requested, closed: seconds(began) };
    };
    const cairnCancel = await timeCancel(JOURNEY_WORKFLOW_TYPE, CAIRN_QUEUE, async () => {
      const items = await client.cancelJourneyRuns(JOURNEY, { reason: 'bench' });
      const requested = items.filter((item) => item.outcome === 'cancel_requested').length;
      if (requested !== runs) throw new Error(`only ${requested} of ${runs} cancels requested`);
    });
    const bareCancel = await timeCancel('bareParked', BARE_QUEUE, () =>
      inLanes(runs, CONCURRENCY, async (i) => {
        await temporal.workflow.getHandle(`bare-park-${i}`).cancel();
      }),
    );
    for (const [label, c] of [
      ['Cairn', cairnCancel],
      ['bare', bareCancel],
    ] as const) {
      console.log(
        `${label.padEnd(6)} ${runs} cancels requested in ${c.requested.toFixed(1)} s, all closed ` +
          `after ${c.closed.toFixed(1)} s`,
      );
    }
    const cancelRatio = cairnCancel.closed / bareCancel.closed;
    console.log(
      `ratio  cancel, Cairn ÷ bare: ${cancelRatio.toFixed(2)}× (target ≤ ${START_TARGET})`,
    );
    const loadAfter = loadAverage();
    console.log(`load average before ${loadBefore}, after ${loadAfter}`);

    const load = { before: loadBefore, after: loadAfter };
    printBenchResult({
      section: 'parked-runs:start',
      metric: `s until ${runs} runs started and parked`,
      cairn: round(cairnStart.parked, 1),
      bare: round(bareStart.parked, 1),
      ratio: round(startRatio),
      target: `<= ${START_TARGET}`,
      met: startRatio <= START_TARGET,
      runs,
      load,
    });
    printBenchResult({
      section: 'parked-runs:cancel',
      metric: `s until ${runs} runs cancelled and closed`,
      cairn: round(cairnCancel.closed, 1),
      bare: round(bareCancel.closed, 1),
      ratio: round(cancelRatio),
      target: `<= ${START_TARGET}`,
      met: cancelRatio <= START_TARGET,
      runs,
      load,
    });
    const memoryRatio = afterSettle.rssMiB / atParked.rssMiB;
    printBenchResult({
      section: 'parked-runs:memory',
      metric: `worker RSS MiB after ${settle} s (Cairn column) vs with ${runs} just parked (bare column)`,
      cairn: round(afterSettle.rssMiB, 1),
      bare: round(atParked.rssMiB, 1),
      ratio: round(memoryRatio, 3),
      target: `<= ${MEMORY_TARGET}`,
      met: memoryRatio <= MEMORY_TARGET,
      growthMiB: round(growth, 1),
      runs,
      load,
    });
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
