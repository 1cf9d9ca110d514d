// From the API accepting an event to a waiting run receiving the segment_entered it causes
// (issue 11: p99 under 1 s at 100 events/s), beside the same rate of events a run waits for
// directly. Cairn in its production shape (`npm run api` and `npm run worker` as child processes,
// bench/pipeline/bench-stack.ts) on one Temporal dev server and one Postgres. A rule segment
// bench_buyers (performed bench_purchase, ever); runs of one journey parked on a waitForEvent
// for segment_entered of that segment, runs of another on a waitForEvent for bench_direct. At
// --rate events/s for --seconds, each customer gets one bench_purchase (and then, in a second
// phase at the same rate, each direct run one bench_direct). The latency of an event is the
// time from the moment its POST /v1/events was sent to the run's own decision that took the
// event (the `event_matched` decision's time in its trace: the workflow task that received it).
// Prints p50/p90/p99/max of both paths and the ratio of the p99s. Asserts nothing; ends with a
// `bench-result:` line. Run with `npm run bench:membership-latency` (--rate 100 --seconds 30).
import os from 'node:os';
import type { JourneyDefinitionInput } from '../src/contract/journeys';
import {
  countOption,
  inLanes,
  loadAverage,
  percentile,
  printBenchResult,
  round,
} from './pipeline/bench-support';
import { bulkStart, seedCustomers, startBenchStack, type BenchStack } from './pipeline/bench-stack';
import { untilAllParked } from './pipeline/parked';

const SEGMENT = 'bench_buyers';
const TARGET_P99_MS = 1_000;

const parkedOn = (id: string, event: string, where?: JourneyDefinitionInput['audience']) =>
  ({
    id,
    name: `Bench: waits for ${event}`,
    reEntry: { mode: 'after_exit' },
    entry: 'waiting',
    steps: [
      {
        id: 'waiting',
        type: 'waitForEvent',
        event,
        timeout: '1h',
        ...(where ? { where } : {}),
        onEvent: 'hold',
      },
      // The run stays open after the event, so its trace can be read.
      { id: 'hold', type: 'wait', for: '1h' },
    ],
  }) satisfies JourneyDefinitionInput;

const MEMBERSHIP = parkedOn('bench-membership', 'segment_entered', {
  conditions: [{ field: 'event.properties.segment_id', op: 'eq', value: SEGMENT }],
});
const DIRECT = parkedOn('bench-direct', 'bench_direct');

interface Sent {
  workflowId: string;
  /** Epoch ms when the POST was sent, and how long it took to answer. */
  sentAt: number;
  callMs: number;
}

/** Sends one event per run at `rate` a second, not waiting for one answer before the next. */
async function fire(
  stack: BenchStack,
  runs: { workflowId: string; customerId: string }[],
  type: string,
  rate: number,
): Promise<Sent[]> {
  const started = Date.now();
  const pending: Promise<Sent>[] = [];
  for (const [i, run] of runs.entries()) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      (async () => {
        const sentAt = Date.now();
        await stack.client.sendEvent({ id: `${type}-${i}`, customerId: run.customerId, type });
        return { workflowId: run.workflowId, sentAt, callMs: Date.now() - sentAt };
      })(),
    );
  }
  return Promise.all(pending);
}

/** The time of each run's event_matched decision, minus when its event was sent. */
async function latencies(stack: BenchStack, sent: Sent[]): Promise<number[]> {
  const found: number[] = new Array<number>(sent.length);
  const deadline = Date.now() + 600_000;
  await inLanes(sent.length, 16, async (i) => {
    const item = sent[i] as Sent;
    for (;;) {
      const { live } = await stack.client.getRun(item.workflowId);
      const trace = (live?.trace ?? []) as { kind: string; at: number }[];
      const matched = trace.find((d) => d.kind === 'event_matched');
      if (matched) {
        found[i] = matched.at - item.sentAt;
        return;
      }
      if (Date.now() > deadline) throw new Error(`${item.workflowId} never took its event`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
  return found;
}

function describe(label: string, ms: number[], calls: number[]): string {
  const f = (v: number) => v.toFixed(0).padStart(6);
  return (
    `${label.padEnd(10)} p50 ${f(percentile(ms, 0.5))} ms, p90 ${f(percentile(ms, 0.9))} ms, ` +
    `p99 ${f(percentile(ms, 0.99))} ms, max ${f(Math.max(...ms))} ms; POST p50 ` +
    `${f(percentile(calls, 0.5))} ms, p99 ${f(percentile(calls, 0.99))} ms`
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rate = countOption(argv, 'rate', 100);
  const seconds = countOption(argv, 'seconds', 30);
  const n = rate * seconds;
  const loadBefore = loadAverage();
  console.log(
    `membership-latency benchmark: ${n} events at ${rate}/s per path; ${os.cpus().length} cores, ` +
      `load ${loadBefore}, node ${process.version}`,
  );
  const stack = await startBenchStack();
  try {
    const { client, cairn } = stack;
    const segment = await fetch(`${cairn.baseUrl}/v1/segments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cairn.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: SEGMENT,
        name: 'Bench buyers',
        kind: 'rule',
        where: { performed: { event: 'bench_purchase' } },
      }),
    });
    if (segment.status !== 201) throw new Error(`segment answered ${segment.status}`);
    await client.createJourney(MEMBERSHIP);
    await client.createJourney(DIRECT);
    await seedCustomers(client, 'mem', n);
    await seedCustomers(client, 'dir', n);
    const ids = (prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    const memRuns = await bulkStart(client, MEMBERSHIP.id, ids('mem'));
    const dirRuns = await bulkStart(client, DIRECT.id, ids('dir'));
    // Generous: on a loaded machine 6,000 runs took over 5 minutes to park.
    await untilAllParked(stack.temporal, [...memRuns, ...dirRuns], 32, 900_000);
    console.log(`${2 * n} runs parked`);
    const runs = (workflowIds: string[], prefix: string) =>
      workflowIds.map((workflowId, i) => ({ workflowId, customerId: `${prefix}-${i}` }));

    const memSent = await fire(stack, runs(memRuns, 'mem'), 'bench_purchase', rate);
    const mem = await latencies(stack, memSent);
    const dirSent = await fire(stack, runs(dirRuns, 'dir'), 'bench_direct', rate);
    const dir = await latencies(stack, dirSent);

    console.log(
      describe(
        'membership',
        mem,
        memSent.map((s) => s.callMs),
      ),
    );
    console.log(
      describe(
        'direct',
        dir,
        dirSent.map((s) => s.callMs),
      ),
    );
    const p99 = percentile(mem, 0.99);
    const ratio = p99 / percentile(dir, 0.99);
    console.log(
      `event → segment_entered at the run: p99 ${p99.toFixed(0)} ms (target < ${TARGET_P99_MS}); ` +
        `÷ event → run directly: p99 ${ratio.toFixed(2)}×, p50 ` +
        `${(percentile(mem, 0.5) / percentile(dir, 0.5)).toFixed(2)}×`,
    );
    const loadAfter = loadAverage();
    console.log(`load average before ${loadBefore}, after ${loadAfter}`);
    printBenchResult({
      section: 'membership-latency',
      metric: 'event → segment_entered at the run, p99 ms',
      cairn: round(p99, 1),
      bare: round(percentile(dir, 0.99), 1),
      ratio: round(ratio),
      target: `p99 < ${TARGET_P99_MS} ms`,
      met: p99 < TARGET_P99_MS,
      p50: { membership: round(percentile(mem, 0.5), 1), direct: round(percentile(dir, 0.5), 1) },
      events: n,
      rate,
      load: { before: loadBefore, after: loadAfter },
    });
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
