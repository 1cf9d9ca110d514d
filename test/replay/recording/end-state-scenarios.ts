import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { deliveries, events } from '../../../src/db/schema';
import { journey } from '../../../src/journeys/builders';
import { abandonedCart } from '../../../src/journeys/library';
import type { JourneyDefinition } from '../../../src/journeys/schema';
import { journeyWorkflow } from '../../../src/workflows/journey';
import { eventSignal } from '../../../src/workflows/messages';
import { replayEvent, restingAt, seedReplayCustomer, until, type Scenario } from './recording';

const promo = journey('spring-promo')
  .name('Spring promo')
  .goal('purchase', { exit: true })
  .steps((s) => [
    s.send('offer', { content: { subject: 'Spring sale', html: '<p>Sale</p>' } }),
    s.wait('linger', { for: '5d' }),
    s.send('reminder', { content: { subject: 'Last days', html: '<p>Hurry</p>' } }),
  ])
  .build();

/**
 * A definition that names a step it does not have: the pure interpreter throws when the run
 * leaves `hello`. Workflow input is not validated again, so a corrupt snapshot reaches a run.
 */
const brokenLink = {
  id: 'broken-link',
  name: 'Broken link',
  entry: 'hello',
  steps: [
    {
      id: 'hello',
      type: 'send',
      channel: 'email',
      content: { subject: 'Hello', html: '<p>Hello</p>' },
      next: 'ghost',
    },
  ],
} as unknown as JourneyDefinition;

const morningNote = journey('morning-note')
  .name('Morning note')
  .steps((s) => [
    s.wait('until_morning', { untilLocalTime: '09:00' }),
    s.send('note', { content: { subject: 'Good morning', html: '<p>Hi</p>' } }),
  ])
  .build();

/**
 * End states beyond what the built-ins show: a goal, continue-as-new, failed runs.
 *
 * journey-code-error-before-fix.json is not recorded here any more: it shows a run stuck on a
 * failing workflow task, which the code since commit "Workflows: a run that fails ..." no longer
 * produces. It stays in the suite because runs like it may still be in flight.
 */
export const endStateScenarios: Scenario[] = [
  {
    name: 'goal-reached',
    server: 'time-skipping',
    async run(recording) {
      const customerId = 'replay-pia';
      await seedReplayCustomer(recording.db, customerId);
      const worker = await recording.worker();
      const handle = await worker.runUntil(async () => {
        const handle = await recording.client.workflow.start(journeyWorkflow, {
          taskQueue: recording.taskQueue,
          workflowId: `journey:spring-promo:${customerId}`,
          args: [{ definition: promo, journeyVersion: 1, customerId, defaultTimeZone: 'UTC' }],
        });
        await restingAt(handle, 'linger');
        const [offer] = await recording.db
          .select()
          .from(deliveries)
          .where(eq(deliveries.customerId, customerId));
        // The click as the tracking route stores it, so the conversion credits the offer.
        await recording.db.insert(events).values({
          id: `replay-click-${randomUUID()}`,
          customerId,
          type: 'email_clicked',
          occurredAt: new Date(),
          deliveryId: offer!.id,
          routedAt: new Date(),
        });
        await handle.signal(
          eventSignal,
          replayEvent(customerId, 'purchase', { revenue: 19.9, currency: 'EUR' }),
        );
        await handle.result();
        return handle;
      });
      return [
        {
          file: 'goal-reached.json',
          journey: promo.id,
          state: 'completed at its goal, with the conversion recorded',
          handle,
        },
      ];
    },
  },
  {
    name: 'continued-as-new',
    server: 'continue-as-new',
    async run(recording) {
      const customerId = 'replay-noor';
      await seedReplayCustomer(recording.db, customerId);
      const worker = await recording.worker();
      return worker.runUntil(async () => {
        const trigger = replayEvent(customerId, 'cart_abandoned', {
          cart_id: 'cart-r2',
          cart_value: 30,
          cart_items: [{ name: 'Test mug', price: 30 }],
        });
        const first = await recording.client.workflow.start(journeyWorkflow, {
          taskQueue: recording.taskQueue,
          workflowId: `journey:abandoned-cart:${customerId}:cart-r2`,
          args: [
            {
              definition: abandonedCart,
              journeyVersion: 1,
              customerId,
              key: 'cart-r2',
              trigger,
              defaultTimeZone: 'UTC',
            },
          ],
        });
        // A handle without a run id follows the chain; this one stays on the first run.
        const firstRun = recording.client.workflow.getHandle(
          first.workflowId,
          first.firstExecutionRunId,
        );
        await restingAt(firstRun, 'wait_1h');
        const continued = async () =>
          (await firstRun.describe()).status.name === 'CONTINUED_AS_NEW';
        // Events the run does not wait for still wake it and lengthen its history.
        for (let i = 0; i < 12 && !(await continued()); i += 1) {
          await first.signal(eventSignal, replayEvent(customerId, 'page_viewed'));
        }
        await until('the first run continued as new', continued);
        const latest = recording.client.workflow.getHandle(first.workflowId);
        await restingAt(latest, 'wait_1h');
        const { runId } = await latest.describe();
        return [
          {
            file: 'continued-as-new-first-run.json',
            journey: abandonedCart.id,
            state: 'continued as new while waiting (first run)',
            handle: firstRun,
            runId: first.firstExecutionRunId,
          },
          {
            file: 'continued-as-new-resumed-run.json',
            journey: abandonedCart.id,
            state: 'waiting: the run after continue-as-new, resumed mid-wait',
            handle: latest,
            runId,
          },
        ];
      });
    },
  },
  {
    name: 'journey-code-error-failed',
    server: 'time-skipping',
    async run(recording) {
      const customerId = 'replay-oona';
      await seedReplayCustomer(recording.db, customerId);
      const worker = await recording.worker();
      const handle = await worker.runUntil(async () => {
        const handle = await recording.client.workflow.start(journeyWorkflow, {
          taskQueue: recording.taskQueue,
          workflowId: `journey:broken-link:${customerId}`,
          args: [{ definition: brokenLink, journeyVersion: 1, customerId, defaultTimeZone: 'UTC' }],
        });
        await handle.result().catch(() => undefined);
        return handle;
      });
      return [
        {
          file: 'journey-code-error-failed.json',
          journey: brokenLink.id,
          state: 'failed: a step that does not exist (JourneyRunFailed, behind its patch marker)',
          handle,
        },
      ];
    },
  },
  {
    name: 'invalid-time-zone-failed',
    server: 'time-skipping',
    async run(recording) {
      const customerId = 'replay-uma';
      await seedReplayCustomer(recording.db, customerId);
      const worker = await recording.worker();
      const handle = await worker.runUntil(async () => {
        const handle = await recording.client.workflow.start(journeyWorkflow, {
          taskQueue: recording.taskQueue,
          workflowId: `journey:morning-note:${customerId}`,
          args: [
            {
              definition: morningNote,
              journeyVersion: 1,
              customerId,
              defaultTimeZone: 'Not/A_Zone',
            },
          ],
        });
        await handle.result().catch(() => undefined);
        return handle;
      });
      return [
        {
          file: 'invalid-time-zone-failed.json',
          journey: morningNote.id,
          state: 'failed: no valid time zone for a local-time wait (decided by the interpreter)',
          handle,
        },
      ];
    },
  },
];
