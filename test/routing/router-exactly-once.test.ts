import { and, count, eq, isNotNull, isNull } from 'drizzle-orm';
import { events, journeyRuns } from '../../src/db/schema';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { routePendingEvents, startEventRouter } from '../../src/routing/event-router';
import { eventually } from '../support/eventually';
import { createRouterFixture, type RouterFixture } from './router-fixture';

// Runs wait for page views; no worker runs them here, the test is about what the router sends.
const tour: JourneyDefinitionInput = {
  id: 'tour',
  name: 'Product tour',
  trigger: { event: 'signed_up' },
  reEntry: { mode: 'once' },
  entry: 'look',
  steps: [{ id: 'look', type: 'waitForEvent', event: 'page_viewed', timeout: '1d' }],
};

const CUSTOMERS = 100;
const VIEWS = 4;
const LEASE_MS = 300;
// Five calls in a row for one customer take 5 × 80 ms: every pass outlives the 300 ms lease.
const DELAY_MS = 80;

describe('a batch slower than the lease, two routers side by side', () => {
  let f: RouterFixture;
  beforeAll(async () => {
    f = await createRouterFixture({ delayMs: DELAY_MS });
    await f.publish(tour);
  });
  afterAll(async () => f?.close());

  it('routes 500 stored events exactly once: one start per run, one signal per event', async () => {
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => `c${String(i).padStart(3, '0')}`);
    await f.addCustomers(ids);
    await f.storeEvents(
      ids.flatMap((customerId) => [
        { id: `${customerId}-signup`, customerId, type: 'signed_up' },
        ...Array.from({ length: VIEWS }, (_, v) => ({
          id: `${customerId}-view-${v}`,
          customerId,
          type: 'page_viewed',
        })),
      ]),
    );
    // 32 a batch splits customers across batches and routers: order must hold across them.
    const options = f.routerOptions({ leaseMs: LEASE_MS, batchSize: 32, concurrency: 8 });
    const routers = [startEventRouter(options), startEventRouter(options)];
    try {
      await eventually(
        async () =>
          (await f.db.db.select({ n: count() }).from(events).where(isNotNull(events.routedAt)))[0]
            ?.n ===
          CUSTOMERS * (VIEWS + 1),
        { timeoutMs: 120_000, intervalMs: 100, describe: 'all 500 events routed' },
      );
    } finally {
      await Promise.all(routers.map((r) => r.stop()));
    }

    expect(f.calls.starts).toBe(CUSTOMERS);
    expect(f.calls.signals).toBe(CUSTOMERS * VIEWS);
    expect([...f.calls.startsByWorkflow.values()].every((n) => n === 1)).toBe(true);
    expect(f.calls.byEvent.size).toBe(CUSTOMERS * (VIEWS + 1));
    expect([...f.calls.byEvent.values()].every((n) => n === 1)).toBe(true);
    // Each customer's run got its trigger first, then the views in the order stored.
    for (const customerId of ids) {
      expect(f.calls.orderByWorkflow.get(journeyWorkflowId('tour', customerId))).toEqual([
        `${customerId}-signup`,
        ...Array.from({ length: VIEWS }, (_, v) => `${customerId}-view-${v}`),
      ]);
    }
    const stored = await f.db.db.select().from(events);
    expect(stored.every((e) => e.routingAttempts === 1 && e.routingClaim === null)).toBe(true);
    const runs = await f.db.db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, 'tour'));
    expect(runs).toHaveLength(CUSTOMERS);
    expect(runs.every((r) => r.status === 'running' && r.temporalRunId !== null)).toBe(true);
  });
});

describe('events that concern no journey', () => {
  let f: RouterFixture;
  beforeAll(async () => {
    f = await createRouterFixture();
    await f.publish({
      ...tour,
      id: 'opened-follow-up',
      trigger: { event: 'signed_up' },
      steps: [{ id: 'look', type: 'waitForEvent', event: 'email_opened', timeout: '1d' }],
    });
  });
  afterAll(async () => f?.close());

  it('are marked routed without a single Temporal call', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `q${i}`);
    await f.addCustomers(ids);
    // A run that listens to email_opened, for q0 only: nobody else's events concern it.
    await f.db.db.insert(journeyRuns).values({
      workflowId: journeyWorkflowId('opened-follow-up', 'q0'),
      temporalRunId: 'not-a-real-run',
      journeyId: 'opened-follow-up',
      journeyVersion: 1,
      customerId: 'q0',
      listensTo: ['email_opened'],
      triggerEventId: 'earlier',
    });
    await f.storeEvents([
      // No journey is triggered by or listens to these.
      ...ids.flatMap((customerId) =>
        Array.from({ length: 10 }, (_, n) => ({
          id: `${customerId}-noise-${n}`,
          customerId,
          type: 'page_viewed',
        })),
      ),
      // Listened to, but by another customer's run.
      { id: 'q1-opened', customerId: 'q1', type: 'email_opened' },
      // q0's run listens, but the event names a delivery the ledger does not know: fail closed.
      {
        id: 'q0-opened-unknown',
        customerId: 'q0',
        type: 'email_opened',
        deliveryId: '00000000-0000-4000-8000-000000000000',
      },
    ]);
    const options = f.routerOptions({ batchSize: 50 });
    let claimed = 0;
    for (let n = await routePendingEvents(options); n > 0; n = await routePendingEvents(options))
      claimed += n;

    expect(claimed).toBe(202);
    expect(f.calls.total()).toBe(0);
    const unrouted = await f.db.db
      .select({ n: count() })
      .from(events)
      .where(isNull(events.routedAt));
    expect(unrouted[0]?.n).toBe(0);
    const stored = await f.db.db.select().from(events);
    expect(stored.every((e) => e.routingAttempts === 1 && e.routingError === null)).toBe(true);
    // The listening run was left alone.
    const [run] = await f.db.db
      .select()
      .from(journeyRuns)
      .where(and(eq(journeyRuns.customerId, 'q0'), eq(journeyRuns.status, 'running')));
    expect(run).toBeDefined();
  });
});
