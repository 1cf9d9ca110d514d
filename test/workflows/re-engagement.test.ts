import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { customers } from '../../src/db/schema';
import { reEngagement } from '../../src/journeys/library';
import type { JourneyEvent } from '../../src/journeys/run-types';
import { journeyWorkflow } from '../../src/workflows/journey';
import { eventSignal, stateQuery } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';

const HOUR = 3_600_000;

function engagement(customerId: string, type: string, stepId: string): JourneyEvent {
  return {
    id: randomUUID(),
    type,
    customerId,
    occurredAt: new Date().toISOString(),
    properties: { stepId, deliveryId: randomUUID() },
  };
}

describe('the re-engagement journey as the seed writes it, on the time-skipping server', () => {
  const harness = useTimeSkippingHarness();

  /** Runs the journey for a fresh customer; `react` may answer when the run reaches a step. */
  async function run(
    customerId: string,
    react?: { atStep: string; afterHours: number; event: string; stepId: string },
  ) {
    await harness.database.db.insert(customers).values({
      id: customerId,
      email: `${customerId}@example.com`,
      phone: `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`,
      consent: { sms: 'opted_in' },
    });
    const worker = await harness.worker();
    await worker.runUntil(async () => {
      const handle = await harness.env.client.workflow.start(journeyWorkflow, {
        taskQueue: harness.taskQueue,
        workflowId: `journey:re-engagement:${customerId}`,
        args: [
          {
            definition: reEngagement,
            journeyVersion: 1,
            customerId,
            defaultTimeZone: 'UTC',
            trigger: {
              id: randomUUID(),
              // As the router hands it over when the customer enters inactive_30d.
              type: 'segment_entered',
              customerId,
              occurredAt: new Date().toISOString(),
              properties: { segment_id: 'inactive_30d', segment_version: 1 },
            },
          },
        ],
      });
      if (react) {
        await harness.env.sleep(react.afterHours * HOUR);
        await eventually(
          async () => (await handle.query(stateQuery)).currentStepId === react.atStep,
          { timeoutMs: 5_000, intervalMs: 10, describe: `the run to reach step ${react.atStep}` },
        );
        await handle.signal(eventSignal, engagement(customerId, react.event, react.stepId));
      }
      await handle.result();
    });
    const emails = harness.peers.smtp.messages
      .filter((m) => m.envelope.to.includes(`${customerId}@example.com`))
      .map((m) => m.subject);
    return { emails };
  }

  const smsFor = async (customerId: string) => {
    const [row] = await harness.database.db
      .select()
      .from(customers)
      .where(eq(customers.id, customerId));
    return harness.peers.twilio.messages.filter((m) => m.to === row?.phone);
  };

  it('sends no SMS when the email was opened', async () => {
    const { emails } = await run('opened', {
      atStep: 'await_open',
      afterHours: 1,
      event: 'email_opened',
      stepId: 'we_miss_you',
    });
    expect(emails).toHaveLength(1);
    expect(await smsFor('opened')).toEqual([]);
  });

  it('sends the SMS after 3 days without an open, and the survey a week in without a click', async () => {
    const { emails } = await run('silent');
    expect(await smsFor('silent')).toHaveLength(1);
    expect(emails).toHaveLength(2);
  });

  it('sends no survey email when the SMS was clicked', async () => {
    const { emails } = await run('clicker', {
      atStep: 'await_click',
      afterHours: 73,
      event: 'sms_clicked',
      stepId: 'second_chance',
    });
    expect(await smsFor('clicker')).toHaveLength(1);
    expect(emails).toHaveLength(1);
  });
});
