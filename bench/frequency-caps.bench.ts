// How many frequency-capped claims Postgres decides per second under contention: every claim for
// one customer waits for that customer's advisory lock, so one busy customer is the worst case.
// Needs Postgres (CAIRN_TEST_POSTGRES_URL, as for the tests); creates and drops its own database.
// Run with `npm run bench:caps`; prints figures, asserts nothing.
import { performance } from 'node:perf_hooks';
import type { Database } from '../src/db/database';
import { customers, deliveries } from '../src/db/schema';
import type { CapRule } from '../src/guardrails/cap-rules';
import { claimWithinCaps, type CapClaimResult } from '../src/deliveries/claim-within-caps';
import { createTestDatabase } from '../test/support/test-database';

const NOW = new Date('2024-05-01T12:00:00Z');

interface Scenario {
  name: string;
  customers: number;
  rules: CapRule[];
}

const scenarios: Scenario[] = [
  {
    name: 'one customer, 1 email/day',
    customers: 1,
    rules: [{ channel: 'email', limit: 1, window: '1d' }],
  },
  {
    name: 'one customer, 1000/day',
    customers: 1,
    rules: [{ channel: 'all', limit: 1000, window: '1d' }],
  },
  {
    name: '100 customers, 3/day',
    customers: 100,
    rules: [
      { channel: 'email', limit: 1, window: '1d' },
      { channel: 'all', limit: 3, window: '1d' },
    ],
  },
];

interface Job {
  deliveryId: string;
  customerId: string;
}

async function prepare(db: Database, scenario: Scenario, calls: number): Promise<Job[]> {
  const prefix = scenario.name.replace(/\W+/g, '-');
  const ids = Array.from({ length: scenario.customers }, (_, i) => `${prefix}-${i}`);
  await db.insert(customers).values(ids.map((id) => ({ id })));
  const rows = Array.from({ length: calls }, (_, i) => {
    const customerId = ids[i % ids.length] as string;
    return {
      deliveryKey: `${prefix}/${i}`,
      customerId,
      journeyId: `journey-${i % 7}`,
      journeyVersion: 1,
      workflowId: `journey:${i}:${customerId}`,
      stepId: 'send',
      channel: 'email',
      messageKind: 'marketing',
      status: 'pending' as const,
    };
  });
  const jobs: Job[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const inserted = await db
      .insert(deliveries)
      .values(rows.slice(i, i + 500))
      .returning({ deliveryId: deliveries.id, customerId: deliveries.customerId });
    // Every row of the bench has its customer (only an erased customer's rows have none).
    jobs.push(...inserted.map((row) => ({ ...row, customerId: row.customerId ?? '' })));
  }
  return jobs;
}

async function run(db: Database, scenario: Scenario, calls: number, concurrency: number) {
  const jobs = await prepare(db, scenario, calls);
  const latencies: number[] = [];
  const counts: Record<CapClaimResult['kind'], number> = { claimed: 0, capped: 0, lost: 0 };
  let next = 0;
  const worker = async () => {
    for (let job = jobs[next++]; job; job = jobs[next++]) {
      const started = performance.now();
      const result = await claimWithinCaps(db, {
        ...job,
        channel: 'email',
        messageKind: 'marketing',
        rules: scenario.rules,
        now: NOW,
        patch: { recipient: 'bench@example.test', subject: 'Bench' },
      });
      latencies.push(performance.now() - started);
      counts[result.kind] += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(1);
  console.log(
    `${scenario.name.padEnd(26)} ${calls} claims in ${ms.toFixed(0)} ms: ` +
      `${((calls / ms) * 1000).toFixed(0)} reservations/s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms ` +
      `(claimed ${counts.claimed}, capped ${counts.capped}, lost ${counts.lost})`,
  );
}

async function main(): Promise<void> {
  const calls = Number(process.env.BENCH_CALLS ?? 2_000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 20);
  const database = await createTestDatabase();
  try {
    console.log(
      `frequency caps benchmark: ${calls} claims per scenario, ${concurrency} in flight, ` +
        `pool of 20 connections, node ${process.version}`,
    );
    for (const scenario of scenarios) await run(database.db, scenario, calls, concurrency);
  } finally {
    await database.close();
  }
}

void main();
