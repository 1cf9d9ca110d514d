import { eq } from 'drizzle-orm';
import { createActivities, OUTCOME_UNKNOWN, type SendMessageRequest } from '../../src/activities';
import type { EmailChannel } from '../../src/channels/channel';
import { createEmailChannel } from '../../src/channels/email-channel';
import { deliveries } from '../../src/db/schema';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, seedCustomer, sendRequest } from './fixtures';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';

/**
 * A worker that dies after it claimed a message and before it recorded the provider's answer
 * leaves the provider's side unknown. The step chooses: skip (record `unknown`, never twice) or
 * resend (a duplicate is better than a loss, e.g. a receipt).
 */
describe("a send whose earlier attempt's outcome is unknown", () => {
  let database: TestDatabase;
  let peer: SmtpPeer;
  let email: EmailChannel;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedCustomer(database.db, { id: 'c1' });
    peer = await startSmtpPeer();
    email = createEmailChannel({ url: peer.url, from: 'Shop <news@shop.test>', pool: false });
  });

  afterAll(async () => {
    await email.close();
    await peer.stop();
    await database.close();
  });

  const { env } = activityEnvironment();
  const run = (
    request: SendMessageRequest,
    faults?: { beforeProviderCall?: () => Promise<void> },
  ) =>
    env.run(
      createActivities({
        identifierKey: TEST_IDENTIFIER_KEY,
        db: database.db,
        email,
        config: { companyName: 'Shop', appUrl: 'https://shop.test', defaultTimeZone: 'UTC' },
        ...(faults ? { faults } : {}),
      }).sendMessage,
      request,
    );
  const rowOf = async (key: string) =>
    (await database.db.select().from(deliveries).where(eq(deliveries.deliveryKey, key)))[0];
  // The attempt claims the message, then dies before the provider call.
  const diesAfterClaim = { beforeProviderCall: () => Promise.reject(new Error('worker died')) };

  it('is recorded unknown and not sent by default', async () => {
    const request = sendRequest({ messageKind: 'transactional', tracking: false });
    const before = peer.messages.length;
    await expect(run(request, diesAfterClaim)).rejects.toThrow('worker died');
    expect(await run(request)).toMatchObject({ status: 'failed', reason: OUTCOME_UNKNOWN });
    expect(peer.messages.length).toBe(before);
    expect(await rowOf(request.deliveryKey)).toMatchObject({ status: 'unknown' });
  });

  it('is sent again when the step says onUnknown: resend', async () => {
    const request = sendRequest({
      messageKind: 'transactional',
      tracking: false,
      onUnknown: 'resend',
    });
    const before = peer.messages.length;
    await expect(run(request, diesAfterClaim)).rejects.toThrow('worker died');
    expect(await rowOf(request.deliveryKey)).toMatchObject({ status: 'sending', attempts: 1 });

    expect(await run(request)).toMatchObject({ status: 'sent' });
    expect(peer.messages.length).toBe(before + 1);
    expect(await rowOf(request.deliveryKey)).toMatchObject({ status: 'sent', attempts: 2 });
    // A later attempt finds it sent: still one message.
    expect(await run(request)).toMatchObject({ status: 'sent' });
    expect(peer.messages.length).toBe(before + 1);
  });

  it('is a choice of the send step in the journey language', () => {
    const journey = (onUnknown: unknown) =>
      parseJourneyDefinition({
        id: 'receipts',
        name: 'Receipts',
        trigger: { event: 'order_placed' },
        entry: 'receipt',
        steps: [
          {
            id: 'receipt',
            type: 'send',
            kind: 'transactional',
            channel: 'email',
            content: { subject: 'Receipt', html: '<p>Thanks</p>' },
            onUnknown,
          },
        ],
      });
    expect(journey('resend').steps[0]).toMatchObject({ onUnknown: 'resend' });
    expect(() => journey('twice')).toThrow();
  });
});
