import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { conversions, customers, deliveries, events } from '../../src/db/schema';
import type { JourneyEvent } from '../../src/journeys/run-types';
import { journeyWorkflow } from '../../src/workflows/journey';
import { eventSignal, stateQuery } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';
import { springPromo } from '../support/workflow-test-journeys';

describe('a goal reached after a click, on the time-skipping server', () => {
  const harness = useTimeSkippingHarness();

  it('counts one conversion with its revenue under every model, and ends the run', async () => {
    const customerId = 'shopper';
    await harness.database.db
      .insert(customers)
      .values({ id: customerId, email: 'shopper@example.com' });
    const worker = await harness.worker();
    const result = await worker.runUntil(async () => {
      const handle = await harness.env.client.workflow.start(journeyWorkflow, {
        taskQueue: harness.taskQueue,
        workflowId: `journey:spring-promo:${customerId}`,
        args: [{ definition: springPromo, journeyVersion: 3, customerId, defaultTimeZone: 'UTC' }],
      });
      await eventually(async () => (await handle.query(stateQuery)).currentStepId === 'linger', {
        timeoutMs: 5_000,
        intervalMs: 10,
        describe: 'the run to reach step linger',
      });
      const [offer] = await harness.database.db
        .select()
        .from(deliveries)
        .where(eq(deliveries.customerId, customerId));
      // The click, as the tracking route stores it: an event naming the delivery.
      await harness.database.db.insert(events).values({
        id: `click-${randomUUID()}`,
        customerId,
        type: 'email_clicked',
        occurredAt: new Date(),
        deliveryId: offer!.id,
        routedAt: new Date(),
      });
      const purchase: JourneyEvent = {
        id: `order-${randomUUID()}`,
        type: 'purchase',
        customerId,
        occurredAt: new Date(Date.now() + 60_000).toISOString(),
        properties: { revenue: 49.9, currency: 'EUR' },
      };
      await handle.signal(eventSignal, purchase);
      return { ...(await handle.result()), view: await handle.query(stateQuery) };
    });

    expect(result).toMatchObject({ status: 'completed', finishReason: 'goal_reached' });
    // Recording the conversion is a command of the interpreter: the trace ends as simulate()'s does.
    expect(result.view.trace.slice(-3).map((d) => [d.kind, d.summary])).toEqual([
      ['goal', 'goal reached: purchase'],
      ['finished', 'run completed (goal_reached)'],
      ['conversion', 'conversion recorded for goal purchase'],
    ]);
    expect(result.view.trace.at(-1)?.detail).toMatchObject({ status: 'recorded', touches: 1 });
    const rows = await harness.database.db
      .select()
      .from(conversions)
      .where(eq(conversions.customerId, customerId));
    expect(rows.map((r) => [r.model, r.stepId, r.weight, r.revenue, r.currency]).sort()).toEqual([
      ['first_touch', 'offer', 1, 49.9, 'EUR'],
      ['last_touch', 'offer', 1, 49.9, 'EUR'],
      ['linear', 'offer', 1, 49.9, 'EUR'],
      ['time_decay', 'offer', 1, 49.9, 'EUR'],
    ]);
    expect(rows.every((r) => r.journeyVersion === 3 && r.channel === 'email')).toBe(true);
    // The run ended at the goal: the reminder never went out.
    const subjects = harness.peers.smtp.messages
      .filter((m) => m.envelope.to.includes('shopper@example.com'))
      .map((m) => m.subject);
    expect(subjects).toEqual(['Spring sale']);
  });
});
