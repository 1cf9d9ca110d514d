import { eq } from 'drizzle-orm';
import { customers, deliveries } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import type { SendPolicy } from '../../src/journeys/run-types';
import { journeyWorkflow } from '../../src/workflows/journey';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';

const shippingNotice = journey('shipping-notice')
  .name('Shipping notice')
  .steps((s) => [
    s.send('shipped', {
      kind: 'transactional',
      channel: 'sms',
      content: { text: 'Your order has shipped.' },
      fallback: {
        channel: 'email',
        content: { subject: 'Your order has shipped', html: '<p>On its way</p>' },
      },
    }),
  ])
  .build();

describe('provider failures on the time-skipping server', () => {
  const harness = useTimeSkippingHarness();

  async function notify(customerId: string, phone: string, sendPolicy?: SendPolicy) {
    await harness.database.db.insert(customers).values({
      id: customerId,
      email: `${customerId}@example.com`,
      phone,
      consent: { sms: 'opted_in' },
    });
    const worker = await harness.worker();
    await worker.runUntil(
      harness.env.client.workflow.execute(journeyWorkflow, {
        taskQueue: harness.taskQueue,
        workflowId: `journey:shipping-notice:${customerId}`,
        args: [
          {
            definition: shippingNotice,
            journeyVersion: 1,
            customerId,
            defaultTimeZone: 'UTC',
            ...(sendPolicy ? { sendPolicy } : {}),
          },
        ],
      }),
    );
    return harness.database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.customerId, customerId));
  }

  it('a 500 then a 201 from Twilio delivers exactly one SMS', async () => {
    harness.peers.twilio.failNext(500, { code: 20500, message: 'Internal Server Error' });
    const before = harness.peers.twilio.requests;
    const rows = await notify('tess', '+14155550111');
    expect(harness.peers.twilio.requests - before).toBe(2);
    expect(harness.peers.twilio.messages.filter((m) => m.to === '+14155550111')).toHaveLength(1);
    expect(rows).toEqual([
      expect.objectContaining({ channel: 'sms', status: 'sent', attempts: 2 }),
    ]);
    expect(
      harness.peers.smtp.messages.filter((m) => m.envelope.to.includes('tess@example.com')),
    ).toEqual([]);
  });

  it('a permanent Twilio error is not retried and the email fallback goes out', async () => {
    harness.peers.twilio.failNext(400, {
      code: 21211,
      message: "The 'To' number is not a valid phone number.",
    });
    const before = harness.peers.twilio.requests;
    const rows = await notify('ivan', '+14155550122');
    expect(harness.peers.twilio.requests - before).toBe(1);
    expect(rows.map((r) => [r.channel, r.status, r.reason]).sort()).toEqual([
      ['email', 'sent', null],
      ['sms', 'failed', 'provider_rejected:twilio_21211'],
    ]);
    const emails = harness.peers.smtp.messages.filter((m) =>
      m.envelope.to.includes('ivan@example.com'),
    );
    expect(emails.map((m) => m.subject)).toEqual(['Your order has shipped']);
  });

  it('an outage longer than the retry limit fails the step, not the run, and the fallback goes out', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      harness.peers.twilio.failNext(503, { code: 20503, message: 'Service Unavailable' });
    }
    const before = harness.peers.twilio.requests;
    const rows = await notify('olga', '+14155550144', {
      maximumAttempts: 3,
      maximumIntervalSeconds: 1,
    });
    expect(harness.peers.twilio.requests - before).toBe(3);
    expect(rows.map((r) => [r.channel, r.status, r.reason]).sort()).toEqual([
      ['email', 'sent', null],
      ['sms', 'failed', 'send_retries_exhausted:ProviderTransient'],
    ]);
    const emails = harness.peers.smtp.messages.filter((m) =>
      m.envelope.to.includes('olga@example.com'),
    );
    expect(emails).toHaveLength(1);
  });
});
