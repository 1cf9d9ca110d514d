import { CURRENT_HISTORY_SHAPE } from '../../../src/workflows/history-shape';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { deliveries, events } from '../../../src/db/schema';
import { abandonedCart } from '../../../src/journeys/library';
import { journeyWorkflow } from '../../../src/workflows/journey';
import { eventSignal } from '../../../src/workflows/messages';
import { brokenLink, morningNote, springPromo } from '../../support/workflow-test-journeys';
import {
  historyFile,
  oneRunScenario,
  replayEvent,
  restingAt,
  routedSearchAttributes,
  seedReplayCustomer,
  startJourney,
  until,
  type Scenario,
} from './recording';

/**
 * End states beyond what the built-ins show: a goal, continue-as-new, failed runs.
 *
 * journey-code-error-before-fix.json is not recorded here any more: it shows a run stuck on a
 * failing workflow task, which the code since commit "Workflows: a run that fails ..." no longer
 * produces. It stays in the suite because runs like it may still be in flight.
 */
export const endStateScenarios: Scenario[] = [
  oneRunScenario({
    name: 'goal-reached',
    customerId: 'replay-pia',
    journey: springPromo.id,
    state: 'completed at its goal, with the conversion recorded',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, springPromo, customerId);
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
    },
  }),
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
          typedSearchAttributes: routedSearchAttributes(abandonedCart, customerId),
          args: [
            {
              definition: abandonedCart,
              journeyVersion: 1,
              customerId,
              key: 'cart-r2',
              trigger,
              defaultTimeZone: 'UTC',
              historyShape: CURRENT_HISTORY_SHAPE,
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
            file: historyFile('continued-as-new-first-run'),
            journey: abandonedCart.id,
            state: 'continued as new while waiting (first run)',
            handle: firstRun,
            runId: first.firstExecutionRunId,
          },
          {
            file: historyFile('continued-as-new-resumed-run'),
            journey: abandonedCart.id,
            state: 'waiting: the run after continue-as-new, resumed mid-wait',
            handle: latest,
            runId,
          },
        ];
      });
    },
  },
  oneRunScenario({
    name: 'journey-code-error-failed',
    customerId: 'replay-oona',
    journey: brokenLink.id,
    state: 'failed: a step that does not exist (JourneyRunFailed, behind its patch marker)',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, brokenLink, customerId);
      await handle.result().catch(() => undefined);
      return handle;
    },
  }),
  oneRunScenario({
    name: 'invalid-time-zone-failed',
    customerId: 'replay-uma',
    journey: morningNote.id,
    state: 'failed: no valid time zone for a local-time wait (decided by the interpreter)',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, morningNote, customerId, {
        defaultTimeZone: 'Not/A_Zone',
      });
      await handle.result().catch(() => undefined);
      return handle;
    },
  }),
];
