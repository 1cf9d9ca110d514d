// Live segment membership under load (issue 11): from the API accepting an event to a waiting
// journey run receiving the segment_entered it causes, at a steady rate (100 events/s). Cairn in
// its production shape (`npm run api` and `npm run worker` as child processes) on one Temporal
// dev server, one Postgres and one SMTP sink. Runs are parked on a waitForEvent for
// segment_entered of `bench_buyers`; each customer then sends one bench_purchase, which makes them
// a member. The figure per event: API accepted → the run received the event (its signal written
// into the run's history). The same for a plain event a parked run waits for, at the same rate,
// as the part membership builds on: the ratio is what the segment step costs. By default a run
// ends when it hears the event, so the figure is the pipeline's; with `--email` it then sends an
// email and the bench also times accepted → email at the sink (100 emails a second is a load of
// its own on 2 cores). Prints p50/p99; ends with a `bench-result:` line.
// Run with `npm run bench:membership-latency -- --seconds 30 --rate 100 [--email]`; asserts nothing.
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
import { outboxStages, stagesLine } from './pipeline/outbox-stages';
import { untilAllParked } from './pipeline/parked';

const SEGMENT = 'bench_buyers';
const TARGET_P99_MS = 1_000;
const ARRIVAL_TIMEOUT_MS = 120_000;

/** Parked on `event` (with `where`), then one transactional email or none. */
function waitingJourney(
  id: string,
  event: string,
  email: boolean,
  segment?: string,
): JourneyDefinitionInput {
  return {
    id,
    name: `Bench: wait for ${event}, then ${email ? 'one email' : 'exit'}`,
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
        onEvent: email ? 'mail' : 'done',
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
  /** Accepted → the email at the sink, ms (NaN without --email). */
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
  journeyId: string,
  workflowIds: string[],
  rate: number,
  event: (i: number) => { id: string; customerId: string; type: string },
  address: ((i: number) => string) | null,
): Promise<Sample[]> {
  const n = workflowIds.length;
  const arrivals = address
    ? Array.from({ length: n }, (_, i) => stack.servers.smtp.arrival(address(i)))
    : [];
  const accepted = await sendAtRate(stack.client, n, rate, event);
  console.log(`${label}: ${n} events accepted`);
  const emailed = address
    ? await withTimeout(Promise.all(arrivals), `${label}: emails missing`)
    : null;
  if (!address) await withTimeout(allClosed(stack.temporal, journeyId), `${label}: runs open`);
  console.log(`${label}: ${n} runs ${address ? 'emailed' : 'ended'}`);
  const received = await receivedAt(stack.temporal, workflowIds);
  return accepted.map((at, i) => ({
    received: (received[i] as number) - at,
    emailed: emailed ? (emailed[i] as number) - at : NaN,
  }));
}

function withTimeout<T>(work: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ARRIVAL_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Until visibility counts none of the journey's runs as running (one cheap query a second). */
async function allClosed(temporal: Client, journeyId: string): Promise<void> {
  const query = `JourneyId = '${journeyId}' AND ExecutionStatus = 'Running'`;
  while ((await temporal.workflow.count(query)).count > 0)
    await new Promise((resolve) => setTimeout(resolve, 1_000));
}

function line(label: string, samples: Sample[]): string {
  const f = (v: number) => v.toFixed(1).padStart(7);
  const r = samples.map((s) => s.received);
  const e = samples.map((s) => s.emailed);
  return (
    `${label.padEnd(12)} accepted → run received p50 ${f(percentile(r, 0.5))} ms, p99 ` +
    `${f(percentile(r, 0.99))} ms, max ${f(Math.max(...r))} ms` +
    (e.some((v) => !Number.isNaN(v))
      ? `; → email p50 ${f(percentile(e, 0.5))} ms, p99 ${f(percentile(e, 0.99))} ms`
      : '')
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const seconds = countOption(argv, 'seconds', 30);
  const rate = countOption(argv, 'rate', 100);
  const email = argv.includes('--email');
  const n = seconds * rate;
  const loadBefore = loadAverage();
  console.log(
    `membership-latency benchmark: ${n} events at ${rate}/s for each path; ` +
      `runs ${email ? 'email' : 'end'} on the event; ${os.cpus().length} cores, load ${loadBefore}, node ${process.version}`,
  );
  const stack = await startBenchStack();
  try {
    await postSegment(stack);
    await stack.client.createJourney(
      waitingJourney('bench-member', 'segment_entered', email, SEGMENT),
    );
    await stack.client.createJourney(waitingJourney('bench-plain', 'bench_shipped', email));
    const memberRuns = await park(stack, 'bench-member', 'mem', n);
    const plainRuns = await park(stack, 'bench-plain', 'pln', n);
    console.log(`${2 * n} runs parked`);

    const membership = await measure(
      stack,
      'membership',
      'bench-member',
      memberRuns,
      rate,
      (i) => ({ id: `buy-${i}`, customerId: `mem-${i}`, type: 'bench_purchase' }),
      email ? (i) => `mem-${i}@bench.test` : null,
    );
    const plain = await measure(
      stack,
      'plain event',
      'bench-plain',
      plainRuns,
      rate,
      (i) => ({ id: `ship-${i}`, customerId: `pln-${i}`, type: 'bench_shipped' }),
      email ? (i) => `pln-${i}@bench.test` : null,
    );
    console.log(line('membership', membership));
    console.log(line('plain event', plain));
    const url = stack.servers.databaseUrl;
    const stages = {
      membership: await outboxStages(url, 'bench_purchase', 'segment_entered'),
      plain: await outboxStages(url, 'bench_shipped'),
    };
    console.log(`inside Cairn, membership: ${stagesLine(stages.membership)}`);
    console.log(`inside Cairn, plain event: ${stagesLine(stages.plain)}`);
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
      runsEmail: email,
      stages,
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
