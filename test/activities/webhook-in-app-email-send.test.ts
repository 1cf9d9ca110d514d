import { eq } from 'drizzle-orm';
import { type SendMessageRequest } from '../../src/activities';
import { createInAppChannel } from '../../src/channels/in-app-channel';
import { createWebhookChannel } from '../../src/channels/webhook-channel';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../src/channels/webhook-signature';
import { customerTopics, inAppMessages, topics } from '../../src/db/schema';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer';
import { activityEnvironment, testActivities, seedCustomer } from './fixtures';

const SECRET = 'whsec_test_0123456789abcdef0123456789abcdef';
let sequence = 0;

function request(
  customerId: string,
  message: Pick<SendMessageRequest, 'channel' | 'content'> &
    Partial<Pick<SendMessageRequest, 'messageKind' | 'topic'>>,
): SendMessageRequest {
  sequence += 1;
  return {
    deliveryKey: `journey:crm:${customerId}/run-1/step/${sequence}/0`,
    customerId,
    journeyId: 'crm',
    journeyVersion: 1,
    workflowId: `journey:crm:${customerId}`,
    stepId: 'step',
    messageKind: 'marketing',
    variables: { trigger: { plan: 'pro', seats: 5 }, context: {} },
    ...message,
  };
}

describe('webhook, in-app and email adaptation through the send activity', () => {
  let database: TestDatabase;
  let webhookPeer: WebhookPeer;
  let smtp: SmtpPeer;
  let send: (request: SendMessageRequest) => Promise<unknown>;

  beforeAll(async () => {
    [database, webhookPeer, smtp] = await Promise.all([
      createTestDatabase(),
      startWebhookPeer(),
      startSmtpPeer(),
    ]);
    const activities = testActivities({
      db: database.db,
      smtpUrl: smtp.url,
      webhook: createWebhookChannel({
        endpoints: { crm: `${webhookPeer.url}/hooks` },
        secret: SECRET,
      }),
      inApp: createInAppChannel({ db: database.db }),
      config: { companyName: 'Acme', defaultTimeZone: 'UTC', appUrl: 'https://shop.test' },
    });
    send = (r) => activityEnvironment().env.run(activities.sendMessage, r);
  });

  afterAll(async () => {
    await Promise.all([webhookPeer?.stop(), smtp?.stop()]);
    await database?.close();
  });

  it('posts a signed webhook with the rendered payload to the named endpoint', async () => {
    await seedCustomer(database.db, { id: 'wes', attributes: { first_name: 'Wes' } });
    const outcome = await send(
      request('wes', {
        channel: 'webhook',
        content: {
          endpoint: 'crm',
          payload: {
            event: 'upgraded',
            name: '{{profile.first_name}}',
            plan: '{{trigger.plan}}',
            seats: 5,
          },
        },
      }),
    );
    expect(outcome).toMatchObject({ status: 'sent' });
    const [received] = await webhookPeer.waitForRequests(1);
    expect(received?.path).toBe('/hooks');
    const body = JSON.parse(received?.rawBody ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({
      customerId: 'wes',
      event: 'upgraded',
      name: 'Wes',
      plan: 'pro',
      seats: 5,
    });
    const header = received?.headers[SIGNATURE_HEADER.toLowerCase()];
    expect(verifyWebhookSignature(SECRET, String(header), received?.rawBody ?? '')).toMatchObject({
      valid: true,
    });
  });

  it('stores one rendered inbox entry per delivery, even when the send is repeated', async () => {
    await seedCustomer(database.db, { id: 'ines', attributes: { first_name: 'Ines' } });
    const inbox = request('ines', {
      channel: 'in_app',
      content: {
        title: 'Welcome, {{profile.first_name}}',
        body: 'Your {{trigger.plan}} plan is ready',
        actionUrl: '{{links.app}}/plan',
      },
    });
    await expect(send(inbox)).resolves.toMatchObject({ status: 'sent' });
    await expect(send(inbox)).resolves.toMatchObject({ status: 'sent' });
    const rows = await database.db
      .select()
      .from(inAppMessages)
      .where(eq(inAppMessages.customerId, 'ines'));
    expect(rows).toEqual([
      expect.objectContaining({
        title: 'Welcome, Ines',
        body: 'Your pro plan is ready',
        actionUrl: 'https://shop.test/plan',
        status: 'unread',
      }),
    ]);
  });

  const everythingOff = { email: 'opted_out', sms: 'opted_out', push: 'opted_out' } as const;
  const hook = {
    channel: 'webhook',
    content: { endpoint: 'crm', payload: { event: 'x' } },
  } as const;
  const note = { channel: 'in_app', content: { title: 'Hello', body: 'News inside' } } as const;

  it("posts marketing webhooks whatever the customer's channel consent, but never against a topic they left", async () => {
    await seedCustomer(database.db, { id: 'walt', consent: everythingOff });
    await database.db.insert(topics).values({ id: 'crm-sync', name: 'CRM', mode: 'opt_out' });
    await database.db
      .insert(customerTopics)
      .values({ customerId: 'walt', topicId: 'crm-sync', status: 'unsubscribed' });
    const before = webhookPeer.requests.length;
    await expect(send(request('walt', hook))).resolves.toMatchObject({ status: 'sent' });
    await expect(send(request('walt', { ...hook, topic: 'crm-sync' }))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'topic_unsubscribed',
    });
    await expect(send(request('walt', { ...hook, topic: 'no-such-topic' }))).resolves.toMatchObject(
      { status: 'skipped', reason: 'unknown_topic' },
    );
    await webhookPeer.waitForRequests(before + 1);
    expect(webhookPeer.requests.length).toBe(before + 1);
  });

  it('keeps marketing out of the inbox of a customer who turned every channel off', async () => {
    await seedCustomer(database.db, { id: 'iris', consent: everythingOff });
    await seedCustomer(database.db, { id: 'ivo', consent: { email: 'opted_out' } });
    await expect(send(request('iris', note))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'no_consent',
    });
    await expect(
      send(request('iris', { ...note, messageKind: 'transactional' })),
    ).resolves.toMatchObject({ status: 'sent' });
    // One channel off is a choice about that channel, not about the inbox.
    await expect(send(request('ivo', note))).resolves.toMatchObject({ status: 'sent' });
    const delivered = await database.db.select().from(inAppMessages);
    expect(delivered.filter((m) => m.customerId === 'iris')).toHaveLength(1);
  });

  it('cuts an email subject to 78 characters at a word, keeping the body and its link', async () => {
    await seedCustomer(database.db, { id: 'eve' });
    const subject =
      'Everything you need to know about your new plan, your seats, your invoices and your team';
    await send(
      request('eve', {
        channel: 'email',
        content: { subject, html: '<p><a href="{{links.app}}/plan">See your plan</a></p>' },
      }),
    );
    const [message] = await smtp.waitForMessages(1);
    expect([...(message?.subject ?? '')].length).toBeLessThanOrEqual(78);
    expect(message?.subject?.endsWith('…')).toBe(true);
    expect(subject.startsWith((message?.subject ?? '').slice(0, -1).trimEnd())).toBe(true);
    expect(message?.html).toContain('href="https://shop.test/plan"');
  });
});
