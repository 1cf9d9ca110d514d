import { eq } from 'drizzle-orm';
import { type SendMessageRequest } from '../../src/activities';
import { createInAppChannel } from '../../src/channels/in-app-channel';
import { createWebhookChannel } from '../../src/channels/webhook-channel';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../src/channels/webhook-signature';
import { inAppMessages } from '../../src/db/schema';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer';
import { activityEnvironment, testActivities, seedCustomer } from './fixtures';

const SECRET = 'whsec_test_0123456789abcdef0123456789abcdef';
let sequence = 0;

function request(
  customerId: string,
  message: Pick<SendMessageRequest, 'channel' | 'content'>,
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
