import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import {
  createActivities,
  OUTCOME_UNKNOWN,
  type ActivityDeps,
  type SendMessageRequest,
} from '../../src/activities';
import type { EmailChannel } from '../../src/channels/channel';
import { createEmailChannel } from '../../src/channels/email-channel';
import { deliveries } from '../../src/db/schema';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, seedCustomer, sendRequest, type LogEntry } from './fixtures';
import { isSuppressed, removeSuppression } from '../../src/guardrails/suppression';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';

const NOW = new Date('2024-05-01T12:00:00Z');

describe('sendMessage', () => {
  let database: TestDatabase;
  let peer: SmtpPeer;
  let email: EmailChannel;
  let logs: LogEntry[];
  let run: (
    request: SendMessageRequest,
    faults?: ActivityDeps['faults'],
  ) => ReturnType<ReturnType<typeof createActivities>['sendMessage']>;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedCustomer(database.db, { id: 'c1', email: 'ada@example.com' });
    await seedCustomer(database.db, { id: 'opted-out', consent: { email: 'opted_out' } });
    await seedCustomer(database.db, { id: 'no-email', email: null });
  });

  afterAll(async () => {
    await database.close();
  });

  beforeEach(async () => {
    peer = await startSmtpPeer();
    email = createEmailChannel({ url: peer.url, from: 'Shop <news@shop.test>' });
    const harness = activityEnvironment();
    logs = harness.logs;
    run = (request, faults) => {
      const activities = createActivities({
        identifierKey: TEST_IDENTIFIER_KEY,
        db: database.db,
        email,
        config: { companyName: 'Shop & Co', appUrl: 'https://shop.test', defaultTimeZone: 'UTC' },
        clock: () => NOW,
        faults,
      });
      return harness.env.run(activities.sendMessage, request);
    };
  });

  afterEach(async () => {
    await email.close();
    await peer.stop();
    // Whatever happened, no log entry carries a contact address.
    expect(JSON.stringify(logs)).not.toMatch(/@example\.com/);
  });

  const ledgerRow = async (deliveryKey: string) => {
    const rows = await database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.deliveryKey, deliveryKey));
    return rows[0];
  };

  it('renders the cart and sends it, recording the delivery as sent', async () => {
    const request = sendRequest();
    const outcome = await run(request);

    expect(outcome).toEqual({ status: 'sent', deliveryId: expect.any(String) as string });
    const [message] = await peer.waitForMessages(1);
    expect(message?.subject).toBe('You left 2 items, Ada');
    expect(message?.html).toContain('<li>Tea &amp; cups — $12.50</li><li>Kettle — $30.00</li>');
    expect(message?.html).toContain('<a href="https://shop.test/cart">Back to Shop &amp; Co</a>');
    expect(message?.text).toContain('Tea & cups — $12.50');
    expect(message?.envelope.to).toEqual(['ada@example.com']);
    expect(message?.messageId).toBe(`<${outcome.deliveryId}@shop.test>`);
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({
      id: outcome.deliveryId,
      status: 'sent',
      recipient: 'ada@example.com',
      subject: 'You left 2 items, Ada',
      providerMessageId: `<${outcome.deliveryId}@shop.test>`,
      attempts: 1,
      sentAt: NOW,
    });
  });

  it('sends once per delivery key and returns the recorded outcome on a repeat', async () => {
    const request = sendRequest();
    const first = await run(request);
    const second = await run(request);

    expect(second).toEqual(first);
    expect(peer.messages).toHaveLength(1);
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('never sends twice when the attempt crashed after the provider accepted', async () => {
    const request = sendRequest();
    const crash = { afterProviderAccept: () => Promise.reject(new Error('worker died')) };

    await expect(run(request, crash)).rejects.toThrow('worker died');
    expect(peer.messages).toHaveLength(1);
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({ status: 'sending' });

    const retried = await run(request);
    expect(retried).toMatchObject({ status: 'failed', reason: OUTCOME_UNKNOWN });
    expect(await run(request)).toEqual(retried);
    expect(peer.messages).toHaveLength(1);
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({
      status: 'unknown',
      reason: OUTCOME_UNKNOWN,
      attempts: 1,
    });
  });

  it('skips a customer who opted out of email, sending nothing', async () => {
    const request = sendRequest({ customerId: 'opted-out' });
    await expect(run(request)).resolves.toMatchObject({ status: 'skipped', reason: 'no_consent' });
    expect(peer.messages).toHaveLength(0);
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({
      status: 'skipped',
      reason: 'no_consent',
      attempts: 0,
    });
  });

  it('still sends a transactional email to a customer who opted out of (marketing) email', async () => {
    const request = sendRequest({ customerId: 'opted-out', messageKind: 'transactional' });
    await expect(run(request)).resolves.toMatchObject({ status: 'sent' });
    expect(
      peer.messages.filter((m) => m.envelope.to.includes('opted-out@example.com')),
    ).toHaveLength(1);
  });

  it('skips a customer without an email address', async () => {
    const request = sendRequest({ customerId: 'no-email' });
    await expect(run(request)).resolves.toMatchObject({ status: 'skipped', reason: 'no_email' });
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({
      status: 'skipped',
      reason: 'no_email',
    });
  });

  it('skips an unknown customer without a ledger row', async () => {
    const request = sendRequest({ customerId: 'ghost' });
    await expect(run(request)).resolves.toMatchObject({
      status: 'skipped',
      reason: 'customer_not_found',
    });
    expect(await ledgerRow(request.deliveryKey)).toBeUndefined();
    expect(peer.messages).toHaveLength(0);
  });

  it('records a render error as a permanent failure without calling the provider', async () => {
    const request = sendRequest({
      content: { subject: 'Hi {{profile.last_name}}', html: '<p>x</p>' },
    });
    await expect(run(request)).resolves.toMatchObject({ status: 'failed', reason: 'render_error' });
    expect(peer.messages).toHaveLength(0);
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({
      status: 'failed',
      reason: 'render_error',
      attempts: 0,
    });
    expect(logs.find((entry) => entry.message === 'template failed to render')?.meta).toMatchObject(
      {
        part: 'subject',
        path: 'profile.last_name',
      },
    );
  });

  it('records a 5xx rejection as failed and never retries it', async () => {
    const request = sendRequest();
    peer.rejectNext(550, 'No such user ada@example.com');

    await expect(run(request)).resolves.toMatchObject({
      status: 'failed',
      reason: 'provider_rejected:smtp_550',
    });
    await expect(run(request)).resolves.toMatchObject({
      status: 'failed',
      reason: 'provider_rejected:smtp_550',
    });
    expect(peer.rejected).toBe(1);
    expect(peer.messages).toHaveLength(0);
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({ status: 'failed', attempts: 1 });
    // A mailbox that does not exist is a hard bounce: the address is suppressed from now on.
    await expect(isSuppressed(database.db, 'email', 'ada@example.com')).resolves.toEqual({
      suppressed: true,
      reason: 'hard_bounce',
    });
    await removeSuppression(database.db, 'email', 'ada@example.com');
  });

  it('throws a retryable failure on a 4xx and sends on the retry', async () => {
    const request = sendRequest();
    peer.rejectNext(451, 'Greylisted, try later');

    const failure = await run(request).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ProviderTransient', nonRetryable: false });
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({ status: 'pending', attempts: 1 });

    await expect(run(request)).resolves.toMatchObject({ status: 'sent' });
    expect(peer.messages).toHaveLength(1);
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('sends one message when several attempts race on the same key', async () => {
    const request = sendRequest();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => run(request)));

    expect(peer.messages).toHaveLength(1);
    expect(
      results.some((result) => result.status === 'fulfilled' && result.value.status === 'sent'),
    ).toBe(true);
    for (const result of results) {
      if (result.status === 'rejected')
        expect(result.reason).toMatchObject({ type: 'DeliveryInProgress' });
    }
    expect(await ledgerRow(request.deliveryKey)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('refuses a delivery key reused for another customer', async () => {
    const request = sendRequest();
    await run(request);
    await expect(run({ ...request, customerId: 'no-email' })).rejects.toMatchObject({
      type: 'DeliveryKeyConflict',
      nonRetryable: true,
    });
  });

  it('rejects a malformed request, naming the field', async () => {
    await expect(run(sendRequest({ deliveryKey: '' }))).rejects.toMatchObject({
      type: 'InvalidActivityRequest',
      nonRetryable: true,
      message: expect.stringContaining('deliveryKey') as string,
    });
  });
});

describe('sendMessage without a database', () => {
  it('throws and sends nothing', async () => {
    const database = await createTestDatabase();
    await seedCustomer(database.db, { id: 'c1' });
    await database.close();
    const peer = await startSmtpPeer();
    const email = createEmailChannel({ url: peer.url, from: 'news@shop.test' });
    try {
      const { env } = activityEnvironment();
      const { sendMessage } = createActivities({
        identifierKey: TEST_IDENTIFIER_KEY,
        db: database.db,
        email,
        config: { companyName: 'Shop', defaultTimeZone: 'UTC' },
      });
      await expect(env.run(sendMessage, sendRequest())).rejects.toThrow();
      expect(peer.messages).toHaveLength(0);
    } finally {
      await email.close();
      await peer.stop();
    }
  });
});
