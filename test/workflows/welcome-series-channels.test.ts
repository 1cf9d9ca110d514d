import { randomUUID } from 'node:crypto';
import { customers, deviceTokens } from '../../src/db/schema';
import { welcomeSeries } from '../../src/journeys/library';
import type { Decision, JourneyEvent } from '../../src/journeys/run-types';
import { journeyWorkflow } from '../../src/workflows/journey';
import { stateQuery } from '../../src/workflows/messages';
import { SMS_SENDER } from '../support/channel-peers';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';

const HOUR = 3_600_000;

describe('the welcome series on every channel, on the time-skipping server', () => {
  const harness = useTimeSkippingHarness();

  async function signUp(customerId: string, consent: { sms?: 'opted_in'; push?: 'opted_in' }) {
    await harness.database.db.insert(customers).values({
      id: customerId,
      email: `${customerId}@example.com`,
      phone: '+1 (415) 555-0100',
      consent,
      attributes: { first_name: 'Ada' },
    });
    await harness.database.db.insert(deviceTokens).values([
      { token: `${customerId}-phone`, customerId, platform: 'ios' },
      { token: `${customerId}-tablet`, customerId, platform: 'android' },
    ]);
    const trigger: JourneyEvent = {
      id: randomUUID(),
      type: 'user_signup',
      customerId,
      occurredAt: new Date().toISOString(),
      properties: {},
    };
    const worker = await harness.worker();
    return worker.runUntil(async () => {
      const handle = await harness.env.client.workflow.start(journeyWorkflow, {
        taskQueue: harness.taskQueue,
        workflowId: `journey:welcome-series:${customerId}`,
        args: [
          {
            definition: welcomeSeries,
            journeyVersion: 1,
            customerId,
            trigger,
            defaultTimeZone: 'UTC',
          },
        ],
      });
      const result = await handle.result();
      const { trace, enteredAt } = await handle.query(stateQuery);
      return { result, sends: sendsOf(trace, Date.parse(enteredAt)) };
    });
  }

  /** [channel, hours after entry, status] of every send the run made, from its decision trace. */
  function sendsOf(trace: Decision[], enteredAt: number) {
    return trace
      .filter((d) => d.kind === 'send_result')
      .map((d) => [d.detail?.channel, Math.round((d.at - enteredAt) / HOUR), d.detail?.status]);
  }

  const emailsTo = (customerId: string) =>
    harness.peers.smtp.messages.filter((m) => m.envelope.to.includes(`${customerId}@example.com`));

  it('sends email at 0, SMS at +2 h, push at +1 day and email at +3 days', async () => {
    const { result, sends } = await signUp('ada', { sms: 'opted_in', push: 'opted_in' });
    expect(result).toMatchObject({ status: 'completed' });
    expect(sends).toEqual([
      ['email', 0, 'sent'],
      ['sms', 2, 'sent'],
      ['push', 24, 'sent'],
      ['email', 72, 'sent'],
    ]);

    expect(emailsTo('ada').map((m) => m.subject)).toEqual([
      'Welcome to Acme, Ada!',
      'Getting the most from Acme',
    ]);
    expect(emailsTo('ada')[0]?.html).toContain('href="https://shop.test/onboarding"');

    const sms = harness.peers.twilio.messages.filter((m) => m.to === '+14155550100');
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({
      from: SMS_SENDER,
      body: 'Welcome to Acme! Quick guides to get started: https://shop.test/help',
    });

    const pushes = harness.peers.fcm.accepted.filter((p) => p.message.token?.startsWith('ada-'));
    expect(pushes.map((p) => p.message.token).sort()).toEqual(['ada-phone', 'ada-tablet']);
    expect(pushes[0]?.message.notification).toEqual({
      title: 'Finish setting up your Acme profile',
      body: 'You are almost there: a couple of details and you are done.',
    });
    expect(JSON.stringify(pushes[0]?.message)).toContain('https://shop.test/profile');
  });

  it('sends the SMS step by email when the customer has not opted in to SMS', async () => {
    const { sends } = await signUp('grace', { push: 'opted_in' });
    expect(sends).toEqual([
      ['email', 0, 'sent'],
      ['sms', 2, 'skipped'],
      ['email', 2, 'sent'],
      ['push', 24, 'sent'],
      ['email', 72, 'sent'],
    ]);
    expect(emailsTo('grace').map((m) => m.subject)).toEqual([
      'Welcome to Acme, Ada!',
      'Your first steps with Acme',
      'Getting the most from Acme',
    ]);
    expect(harness.peers.twilio.messages.filter((m) => m.body.includes('grace'))).toEqual([]);
    expect(harness.peers.twilio.messages).toHaveLength(1);
  });
});
