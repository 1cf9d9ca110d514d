// Live segment membership under load (issue 11): from the API accepting an event to a waiting
// journey run receiving the segment_entered it causes, at a steady rate (100 events/s). Cairn in
// its production shape (`npm run api` and `npm run worker` as child processes) on one Temporal
// dev server, one Postgres and one SMTP sink. Runs are parked on a waitForEvent for
// segment_entered of `bench_buyers`; each customer then sends one bench_purchase, which makes them
// a member. Two figures per event: API accepted → the run received the event (its signal written
// into the run's history) and → its email at the sink. The same for a plain event a parked run
// waits for, at the same rate, as the part membership builds on: the ratio is what the segment
// step costs. Prints p50/p99; ends with a `bench-result:` line.
// Run with `npm run bench:membership-latency -- --seconds 30 --rate 100`; asserts nothing.
import os from 'node:os';
import type { Client } from '@temporalio/client';
import type { CairnClient } from '../src/client';
import type { JourneyDefinitionInput } from '../src/contract/journeys';
import { epochNow } from './pipeline/arrival-sink';
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
const ARRIVAL_TIMEOUT_MS = 120_000;

/** Parked on `event` (with `where`), then one transactional email. */
function waitingJourney(id: string, event: string, segment?: string): JourneyDefinitionInput {
  return {
    id,
    name: `Bench: wait for ${event}, then one email`,
    trigger: { event: `${id}_start` },
    reEntry: { mode: 'after_exit' },
    entry: 'wait',
    steps: [
      {
        id: 'wait',
        type: 'waitForEvent',
        event,
        ...(segment
          ? {
              where: {
                conditions: [{ field: 'event.properties.segment_id', op: 'eq', value: segment }],
              },
            }
          : {}),
        timeout: '1h',
        onEvent: 'mail',
        onTimeout: 'done',
      },
      {
        id: 'mail',
        type: 'send',
        channel: 'email',
        kind: 'transactional',
        content: { subject: 'Welcome aboard', html: '<p>Thanks</p>' },
        next: 'done',
      },
      { id: 'done', type: 'exit' },
    ],
  };
}

interface Sample {
  /** Accepted by the API (the POST answered) → the run's decision on the event, ms. */
  received: number;
  /** Accepted → the email at the sink, ms. */
  emailed: number;
}

async function postSegment(stack: BenchStack): Promise<void> {
  const response = await fetch(`${stack.cairn.baseUrl}/v1/segments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.cairn.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: SEGMENT,
      name: 'Bench buyers',
      where: { performed: { event: 'bench_purchase', within: '30d' } },
    }),
  });
  if (response.status !== 201) throw new Error(`segment not published: ${response.status}`);
}

/** Parks one run per customer `${prefix}-i`; their workflow ids. */
async function park(stack: BenchStack, journeyId: string, prefix: string, n: number) {
  await seedCustomers(stack.client, prefix, n);
  const ids = await bulkStart(
    stack.client,
    journeyId,
    Array.from({ length: n }, (_, i) => `${prefix}-${i}`),
  );
  await untilAllParked(stack.temporal, ids, 32, 900_000);
  return ids;
}

/**
 * Sends event i of n at i / rate seconds after the start (open loop: a slow answer does not slow
 * the next send) and records when the API accepted it.
 */
async function sendAtRate(
  client: CairnClient,
  n: number,
  rate: number,
  event: (i: number) => { id: string; customerId: string; type: string },
): Promise<number[]> {
  const accepted: number[] = new Array<number>(n);
  const start = epochNow();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < n; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - epochNow();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(
      client.sendEvent(event(i)).then(() => {
        accepted[i] = epochNow();
      }),
    );
  }
  await Promise.all(sends);
  return accepted;
}

/**
 * When each run received its event: the time Temporal wrote the event signal into the run's
 * history (the router's signal call landed; the run's next workflow task takes it).
 */
async function receivedAt(temporal: Client, workflowIds: string[]): Promise<number[]> {
  const times: number[] = new Array<number>(workflowIds.length);
  await inLanes(workflowIds.length, 16, async (i) => {
    const history = await temporal.workflow.getHandle(workflowIds[i] as string).fetchHistory();
    const signal = (history.events ?? []).find((e) => e.workflowExecutionSignaledEventAttributes);
    const time = signal?.eventTime;
    times[i] = time ? Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6) : NaN;
  });
  return times;
}

async function measure(
  stack: BenchStack,
  label: string,
  workflowIds: string[],
  rate: number,
  event: (i: number) => { id: string; customerId: string; type: string },
  address: (i: number) => string,
): Promise<Sample[]> {
  const n = workflowIds.length;
  const arrivals = Array.from({ length: n }, (_, i) => stack.servers.smtp.arrival(address(i)));
  const accepted = await sendAtRate(stack.client, n, rate, event);
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`${label}: emails missing`)), ARRIVAL_TIMEOUT_MS),
  );
  console.log(`${label}: ${n} events accepted`);
  const emailed = await Promise.race([Promise.all(arrivals), timeout]);
  console.log(`${label}: ${n} emails arrived`);
  const received = await receivedAt(stack.temporal, workflowIds);
  return accepted.map((at, i) => ({
    received: (received[i] as number) - at,
    emailed: (emailed[i] as number) - at,
  }));
}

function line(label: string, samples: Sample[]): string {
  const f = (v: number) => v.toFixed(1).padStart(7);
  const r = samples.map((s) => s.received);
  const e = samples.map((s) => s.emailed);
  return (
    `${label.padEnd(12)} accepted → run received p50 ${f(percentile(r, 0.5))} ms, p99 ` +
    `${f(percentile(r, 0.99))} ms, max ${f(Math.max(...r))} ms; → email p50 ` +
    `${f(percentile(e, 0.5))} ms, p99 ${f(percentile(e, 0.99))} ms`
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const seconds = countOption(argv, 'seconds', 30);
  const rate = countOption(argv, 'rate', 100);
  const n = seconds * rate;
  const loadBefore = loadAverage();
  console.log(
    `membership-latency benchmark: ${n} events at ${rate}/s for each path; ` +
      `${os.cpus().length} cores, load ${loadBefore}, node ${process.version}`,
  );
  const stack = await startBenchStack();
  try {
    await postSegment(stack);
    await stack.client.createJourney(waitingJourney('bench-member', 'segment_entered', SEGMENT));
    await stack.client.createJourney(waitingJourney('bench-plain', 'bench_shipped'));
    const memberRuns = await park(stack, 'bench-member', 'mem', n);
    const plainRuns = await park(stack, 'bench-plain', 'pln', n);
    console.log(`${2 * n} runs parked`);

    const membership = await measure(
      stack,
      'membership',
      memberRuns,
      rate,
      (i) => ({ id: `buy-${i}`, customerId: `mem-${i}`, type: 'bench_purchase' }),
      (i) => `mem-${i}@bench.test`,
    );
    const plain = await measure(
      stack,
      'plain event',
      plainRuns,
      rate,
      (i) => ({ id: `ship-${i}`, customerId: `pln-${i}`, type: 'bench_shipped' }),
      (i) => `pln-${i}@bench.test`,
    );
    console.log(line('membership', membership));
    console.log(line('plain event', plain));
    const p = (s: Sample[], q: number) =>
      percentile(
        s.map((x) => x.received),
        q,
      );
    const ratio = p(membership, 0.99) / p(plain, 0.99);
    console.log(
      `membership ÷ plain event, run received: p99 ${ratio.toFixed(2)}×, p50 ` +
        `${(p(membership, 0.5) / p(plain, 0.5)).toFixed(2)}×; target p99 < ${TARGET_P99_MS} ms`,
    );
    const loadAfter = loadAverage();
    console.log(`load average before ${loadBefore}, after ${loadAfter}`);
    printBenchResult({
      section: 'membership-latency',
      metric: 'event accepted → run received segment_entered, p99 ms',
      cairn: round(p(membership, 0.99), 1),
      bare: round(p(plain, 0.99), 1),
      ratio: round(ratio),
      target: `< ${TARGET_P99_MS} ms`,
      met: p(membership, 0.99) < TARGET_P99_MS,
      p50: { membership: round(p(membership, 0.5), 1), plain: round(p(plain, 0.5), 1) },
      rate,
      events: n,
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
