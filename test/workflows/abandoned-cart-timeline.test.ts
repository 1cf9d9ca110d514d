import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server';
import { CairnClient, type Timeline, type TimelineItem } from '../../src/client';
import { customers, events, journeyRuns } from '../../src/db/schema';
import { abandonedCart } from '../../src/journeys/library';
import type { Decision, JourneyEvent } from '../../src/journeys/run-types';
import { loadCustomerTimeline } from '../../src/timeline/load-timeline';
import { journeyWorkflow } from '../../src/workflows/journey';
import { stateQuery } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';

const CUSTOMER = 'lin';
const CART = 'cart-77';
const WORKFLOW_ID = `journey:abandoned-cart:${CUSTOMER}:${CART}`;
const API_KEY = 'timeline-test-key-0123';
const HOUR = 3_600_000;

/** A compact, ordered label per item: enough to read the story of the run. */
function label(item: TimelineItem): string {
  switch (item.kind) {
    case 'event':
      return `event ${item.type}`;
    case 'run_entered':
    case 'run_exited':
      return item.kind;
    case 'decision':
      return `${item.decision} ${item.stepId ?? '-'}`;
    case 'delivery':
      return `delivery ${item.stepId} ${item.channel} ${item.status}${item.reason ? ` ${item.reason}` : ''}`;
    case 'conversion':
      return `conversion ${item.model}`;
    case 'score_changed':
      return `score ${item.scoreId}`;
    case 'segment':
      return `segment ${item.change} ${item.segmentId}`;
    case 'lifecycle_stage':
      return `stage ${item.from ?? '-'} → ${item.to ?? '-'}`;
  }
}

describe('the timeline of an abandoned cart, run on the time-skipping server', () => {
  const harness = useTimeSkippingHarness();
  let api: FastifyInstance;
  let client: CairnClient;

  beforeAll(async () => {
    api = await buildApi({
      docsUi: false,
      db: harness.database.db,
      temporal: harness.env.client,
      taskQueue: harness.taskQueue,
      apiKeys: [API_KEY],
      defaultTimeZone: 'UTC',
    });
    client = new CairnClient({
      baseUrl: await api.listen({ host: '127.0.0.1', port: 0 }),
      apiKey: API_KEY,
    });
  });
  afterAll(async () => api?.close());

  /** A customer with an email and a phone, push opted in, no SMS consent and no device tokens. */
  async function abandonCart(): Promise<JourneyEvent> {
    const { db } = harness.database;
    await db.insert(customers).values({
      id: CUSTOMER,
      email: 'lin@example.com',
      phone: '+14155550123',
      consent: { push: 'opted_in' },
      attributes: { first_name: 'Lin' },
    });
    const trigger: JourneyEvent = {
      id: 'evt-cart-77',
      type: 'cart_abandoned',
      customerId: CUSTOMER,
      occurredAt: new Date(Date.now() - 1_000).toISOString(),
      properties: {
        cart_id: CART,
        cart_value: 80,
        cart_items: [{ name: 'Lamp', price: 80 }],
      },
    };
    await db.insert(events).values({
      id: trigger.id,
      customerId: CUSTOMER,
      type: trigger.type,
      occurredAt: new Date(trigger.occurredAt),
      properties: trigger.properties,
    });
    // What the router writes when it starts a run: recordRunFinished ends this row.
    await db.insert(journeyRuns).values({
      workflowId: WORKFLOW_ID,
      journeyId: abandonedCart.id,
      journeyVersion: 1,
      customerId: CUSTOMER,
      runKey: CART,
      status: 'running',
      listensTo: ['purchase'],
      triggerEventId: trigger.id,
    });
    return trigger;
  }

  const liveTimeline = () =>
    loadCustomerTimeline(
      { db: harness.database.db, live: { temporal: harness.env.client, timeoutMs: 2_000 } },
      CUSTOMER,
      { since: null, until: null, limit: 500 },
    ) as Promise<Timeline>;

  it('shows every decision and delivery in order, the skipped ones with why', async () => {
    const trigger = await abandonCart();
    const worker = await harness.worker();
    const { live, trace } = await worker.runUntil(async () => {
      const handle = await harness.env.client.workflow.start(journeyWorkflow, {
        taskQueue: harness.taskQueue,
        workflowId: WORKFLOW_ID,
        args: [
          {
            definition: abandonedCart,
            journeyVersion: 1,
            customerId: CUSTOMER,
            key: CART,
            trigger,
            defaultTimeZone: 'UTC',
          },
        ],
      });
      // Time only skips while the result is awaited: the run sits in its first wait meanwhile.
      const midRun = await eventually(
        async () => {
          const timeline = await liveTimeline();
          const waiting = timeline.items.some(
            (i) => i.kind === 'decision' && i.decision === 'wait_scheduled',
          );
          return waiting ? timeline : null;
        },
        { timeoutMs: 15_000, intervalMs: 50, describe: 'the live timeline to show the first wait' },
      );
      await handle.result();
      const view = await handle.query(stateQuery);
      return { live: midRun, trace: view.trace };
    });

    // While running, the decisions come from Temporal's state query.
    expect(live.runs).toEqual([
      expect.objectContaining({ workflowId: WORKFLOW_ID, status: 'running', live: true }),
    ]);
    expect(live.items.map(label).slice(-1)).toEqual(['wait_scheduled wait_1h']);
    expect(live.items.some((i) => i.kind === 'run_exited')).toBe(false);

    await expectTraceStored(trace);
    const timeline = await client.getTimeline(CUSTOMER);
    expect(timeline.runs).toEqual([
      expect.objectContaining({ status: 'completed', live: false, traceAvailable: true }),
    ]);
    expect(timeline.items.map(label)).toEqual([
      'event cart_abandoned',
      'run_entered',
      'entered -',
      'condition -',
      'step_started wait_1h',
      'wait_scheduled wait_1h',
      'step_started cart_reminder',
      'send_result cart_reminder',
      'delivery cart_reminder email sent',
      'step_started high_value_check',
      'branch high_value_check',
      'step_started wait_6h',
      'wait_scheduled wait_6h',
      'step_started high_value_nudge',
      'send_result high_value_nudge',
      'delivery high_value_nudge sms skipped no_consent',
      'step_started wait_12h',
      'wait_scheduled wait_12h',
      'step_started cart_still_waiting',
      'send_result cart_still_waiting',
      'delivery cart_still_waiting push skipped no_device_tokens',
      'step_started wait_24h',
      'wait_scheduled wait_24h',
      'step_started discount_offer',
      'send_result discount_offer',
      'delivery discount_offer email sent',
      'finished discount_offer',
      'run_exited',
    ]);
    expect(hoursOf(timeline, 'send_result')).toEqual([1, 6, 12, 24]);
    expect(timeline.items.at(-1)).toMatchObject({ status: 'completed', reason: 'completed' });
    expectBranchSawCartValue(timeline);
    expect(harness.peers.smtp.messages.map((m) => m.subject)).toEqual([
      'You left something in your cart',
      '10% off your cart with SAVE10',
    ]);
    expect(harness.peers.twilio.messages).toEqual([]);
    expect(JSON.stringify(timeline)).not.toMatch(/lin@example\.com|4155550123|Lamp/);
  });

  /** recordRunFinished stores the run's final trace with its registry row. */
  async function expectTraceStored(trace: Decision[]): Promise<void> {
    const { db } = harness.database;
    const rows = await db.select().from(journeyRuns).where(eq(journeyRuns.workflowId, WORKFLOW_ID));
    expect(rows).toEqual([
      expect.objectContaining({ status: 'completed', finishReason: 'completed' }),
    ]);
    expect(rows[0]!.trace).toEqual(JSON.parse(JSON.stringify(trace)));
  }

  /** Hours after entry of each decision of a kind, by the run's own clock. */
  function hoursOf(timeline: Timeline, decision: string): number[] {
    const entered = timeline.items.find((i) => i.kind === 'run_entered')!;
    return timeline.items
      .filter((i) => i.kind === 'decision' && i.decision === decision)
      .map((i) => Math.round((Date.parse(i.at) - Date.parse(entered.at)) / HOUR));
  }

  function expectBranchSawCartValue(timeline: Timeline): void {
    const branch = timeline.items.find((i) => i.kind === 'decision' && i.decision === 'branch');
    expect(branch).toMatchObject({
      stepId: 'high_value_check',
      detail: {
        passed: true,
        outcomes: [
          expect.objectContaining({
            field: 'trigger.properties.cart_value',
            op: 'gt',
            expected: 50,
            actual: 80,
            passed: true,
          }),
        ],
      },
    });
  }
});
