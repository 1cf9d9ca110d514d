import { eq } from 'drizzle-orm';
import { deliveries } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import type { EventResult } from '../../src/client';
import type { JourneyWorkflowResult } from '../../src/workflows/journey';
import { startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

// One message, then a second step, so the test can see the run carry on after the retry.
const receipt = journey('receipt')
  .name('Receipt')
  .trigger('order_placed')
  .steps((s) => [
    s.send('receipt_email', {
      kind: 'transactional',
      content: { subject: 'Your receipt', html: '<p>Order {{trigger.order_id}}</p>' },
    }),
    s.send('follow_up', { content: { subject: 'How was it?', html: '<p>Tell us</p>' } }),
  ])
  .toJSON();

/** Throws once for the first send, as a worker that dies at that instant would. */
function crashOnce(): { hook: (key: string) => void; crashed: string[] } {
  const crashed: string[] = [];
  return {
    crashed,
    hook: (key) => {
      if (key.endsWith('/receipt_email/1/0') && crashed.length === 0) {
        crashed.push(key);
        throw new Error('simulated crash after the provider accepted the message');
      }
    },
  };
}

async function placeOrder(
  stack: CairnTestStack,
  customerId: string,
): Promise<JourneyWorkflowResult> {
  await stack.request('PUT', `/v1/customers/${customerId}`, { email: `${customerId}@example.com` });
  expect((await stack.request('POST', '/v1/journeys', receipt)).status).toBe(201);
  const accepted = await stack.request<EventResult>('POST', '/v1/events', {
    id: `order-${customerId}`,
    customerId,
    type: 'order_placed',
    properties: { order_id: 'A-1001' },
  });
  expect(accepted.status).toBe(202);
  await stack.awaitRouted(`order-${customerId}`);
  return stack.temporal.workflow
    .getHandle(`journey:receipt:${customerId}`)
    .result() as Promise<JourneyWorkflowResult>;
}

describe('a retried send never sends twice', () => {
  it('crash after the ledger recorded the send: the retry returns the recorded result', async () => {
    const crash = crashOnce();
    const stack = await startCairnTestStack({ faults: { afterDeliveryRecorded: crash.hook } });
    try {
      await expect(placeOrder(stack, 'alan')).resolves.toMatchObject({ status: 'completed' });
      expect(crash.crashed).toHaveLength(1);
      expect(stack.smtp.messages.map((m) => m.subject)).toEqual(['Your receipt', 'How was it?']);
      const rows = await stack.database.db
        .select()
        .from(deliveries)
        .where(eq(deliveries.customerId, 'alan'));
      expect(rows.find((r) => r.stepId === 'receipt_email')).toMatchObject({
        status: 'sent',
        attempts: 1,
      });
    } finally {
      await stack.close();
    }
  });

  it('crash between the provider accepting and the ledger recording: no second message', async () => {
    const crash = crashOnce();
    const stack = await startCairnTestStack({ faults: { afterProviderAccept: crash.hook } });
    try {
      await expect(placeOrder(stack, 'edsger')).resolves.toMatchObject({ status: 'completed' });
      expect(crash.crashed).toHaveLength(1);
      // The peer got the receipt exactly once; the run went on to its next step.
      expect(stack.smtp.messages.map((m) => m.subject)).toEqual(['Your receipt', 'How was it?']);
      const rows = await stack.database.db
        .select()
        .from(deliveries)
        .where(eq(deliveries.customerId, 'edsger'));
      // The retry cannot tell whether the provider took the message, so it records that honestly.
      expect(rows.find((r) => r.stepId === 'receipt_email')).toMatchObject({
        status: 'unknown',
        reason: 'outcome_unknown_after_interrupted_send',
      });
    } finally {
      await stack.close();
    }
  });
});
