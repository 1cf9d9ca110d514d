import { NativeConnection, type Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { journeyRuns } from '../../src/db/schema';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { startEventRouter } from '../../src/routing/event-router';
import { eventually } from '../support/eventually';
import { createTestJourneyWorker } from '../support/journey-worker';
import { testTemporalAddress } from '../support/temporal';
import { createRouterFixture, type RouterFixture } from './router-fixture';

// A purchase ends the cart's run; the run itself only waits (no sends, so no SMTP peer).
const cart: JourneyDefinitionInput = {
  id: 'cart',
  name: 'Abandoned cart',
  trigger: { event: 'cart_abandoned' },
  reEntry: { mode: 'keyed', key: 'cart_id' },
  exitOn: [{ event: 'purchase' }],
  entry: 'pause',
  steps: [{ id: 'pause', type: 'wait', for: '1h' }],
};

const CUSTOMERS = 40;

describe("one customer's events keep their order under concurrency", () => {
  let f: RouterFixture;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  beforeAll(async () => {
    f = await createRouterFixture({ delayMs: 20 });
    native = await NativeConnection.connect({ address: testTemporalAddress() });
    worker = await createTestJourneyWorker({
      connection: native,
      taskQueue: f.taskQueue,
      db: f.db.db,
      smtpUrl: 'smtp://127.0.0.1:1',
    });
    running = worker.run();
    await f.publish(cart);
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await native?.close();
    await f?.close();
  });

  it('cart_abandoned then purchase in one batch: the run starts, then exits', async () => {
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => `shopper-${i}`);
    await f.addCustomers(ids);
    await f.storeEvents(
      ids.flatMap((customerId) => [
        {
          id: `${customerId}-abandoned`,
          customerId,
          type: 'cart_abandoned',
          properties: { cart_id: 'k1' },
        },
        {
          id: `${customerId}-purchase`,
          customerId,
          type: 'purchase',
          properties: { cart_id: 'k1' },
        },
      ]),
    );
    // One batch holds every event; 16 customers at a time.
    const router = startEventRouter(f.routerOptions({ batchSize: 200, concurrency: 16 }));
    try {
      await eventually(
        async () => {
          const runs = await f.db.db
            .select()
            .from(journeyRuns)
            .where(eq(journeyRuns.journeyId, 'cart'));
          return runs.length === CUSTOMERS && runs.every((r) => r.status !== 'running') && runs;
        },
        { timeoutMs: 60_000, intervalMs: 100, describe: 'every cart run to have exited' },
      );
    } finally {
      await router.stop();
    }
    const runs = await f.db.db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, 'cart'));
    expect(new Set(runs.map((r) => `${r.status}:${r.finishReason}`))).toEqual(
      new Set([`${runs[0]?.status}:${runs[0]?.finishReason}`]),
    );
    expect(runs[0]?.finishReason).toMatch(/purchase|exit/);
    for (const customerId of ids) {
      expect(f.calls.orderByWorkflow.get(journeyWorkflowId('cart', customerId, 'k1'))).toEqual([
        `${customerId}-abandoned`,
        `${customerId}-purchase`,
      ]);
    }
  });
});
