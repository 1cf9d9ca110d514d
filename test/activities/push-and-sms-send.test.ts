import { eq } from 'drizzle-orm';
import { type SendMessageRequest } from '../../src/activities';
import { deliveries, deviceTokens, suppressions } from '../../src/db/schema';
import { startChannelPeers, type ChannelPeers } from '../support/channel-peers';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, testActivities, seedCustomer } from './fixtures';

let sequence = 0;

function pushRequest(customerId: string): SendMessageRequest {
  sequence += 1;
  return {
    deliveryKey: `journey:app:${customerId}/run-1/nudge/${sequence}/0`,
    customerId,
    journeyId: 'app',
    journeyVersion: 1,
    workflowId: `journey:app:${customerId}`,
    stepId: 'nudge',
    channel: 'push',
    messageKind: 'marketing',
    content: {
      title:
        'Hi {{profile.first_name}}, a very long title that goes on well past what a lock screen shows',
      body: 'Your cart is waiting',
      deepLink: '{{links.app}}/cart',
      priority: 'high',
    },
    variables: { trigger: {}, context: {} },
  };
}

describe('push and SMS through the send activity', () => {
  let database: TestDatabase;
  let peers: ChannelPeers;
  let send: (request: SendMessageRequest) => Promise<unknown>;

  beforeAll(async () => {
    [database, peers] = await Promise.all([createTestDatabase(), startChannelPeers()]);
    const activities = testActivities({
      db: database.db,
      smtpUrl: peers.smtp.url,
      ...peers.channels(database.db),
      config: { companyName: 'Acme', defaultTimeZone: 'UTC', appUrl: 'https://shop.test' },
    });
    send = (request) => activityEnvironment().env.run(activities.sendMessage, request);
  });

  afterAll(async () => {
    await peers?.stop();
    await database?.close();
  });

  it('removes a token the provider reports unregistered, and the next send reaches the rest', async () => {
    await seedCustomer(database.db, {
      id: 'lin',
      attributes: { first_name: 'Lin' },
      consent: { push: 'opted_in' },
    });
    await database.db.insert(deviceTokens).values([
      { token: 'lin-old-phone', customerId: 'lin', platform: 'ios' },
      { token: 'lin-new-phone', customerId: 'lin', platform: 'ios' },
    ]);
    peers.fcm.unregister('lin-old-phone');

    await expect(send(pushRequest('lin'))).resolves.toMatchObject({ status: 'sent' });
    const left = await database.db
      .select()
      .from(deviceTokens)
      .where(eq(deviceTokens.customerId, 'lin'));
    expect(left.map((t) => t.token)).toEqual(['lin-new-phone']);

    const before = peers.fcm.accepted.length;
    await expect(send(pushRequest('lin'))).resolves.toMatchObject({ status: 'sent' });
    const latest = peers.fcm.accepted.slice(before);
    expect(latest.map((p) => p.message.token)).toEqual(['lin-new-phone']);
    // Adapted to the 65-character title limit, with the deep link untouched.
    const title = latest[0]?.message.notification?.title ?? '';
    expect([...title].length).toBeLessThanOrEqual(65);
    expect(title.endsWith('…')).toBe(true);
    expect(JSON.stringify(latest[0]?.message)).toContain('https://shop.test/cart');

    const rows = await database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.customerId, 'lin'));
    expect(rows[0]?.detail).toMatchObject({ delivered: 1 });
  });

  it('drops the tokens of a send that no device took, so the next push step skips with a reason', async () => {
    await seedCustomer(database.db, { id: 'ola', consent: { push: 'opted_in' } });
    await database.db
      .insert(deviceTokens)
      .values({ token: 'ola-gone', customerId: 'ola', platform: 'android' });
    peers.fcm.unregister('ola-gone');
    await expect(send(pushRequest('ola'))).resolves.toMatchObject({
      status: 'failed',
      reason: 'provider_rejected:no_valid_tokens',
    });
    const left = await database.db
      .select()
      .from(deviceTokens)
      .where(eq(deviceTokens.customerId, 'ola'));
    expect(left).toEqual([]);
    await expect(send(pushRequest('ola'))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'no_device_tokens',
    });
  });

  it('skips marketing push without an explicit opt-in, even with a device', async () => {
    await seedCustomer(database.db, { id: 'pia' });
    await database.db
      .insert(deviceTokens)
      .values({ token: 'pia-phone-1', customerId: 'pia', platform: 'ios' });
    await expect(send(pushRequest('pia'))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'no_consent',
    });
  });

  it('leaves suppressed device tokens out of a push, and skips it when every token is suppressed', async () => {
    await seedCustomer(database.db, { id: 'sol', consent: { push: 'opted_in' } });
    await database.db.insert(deviceTokens).values([
      { token: 'sol-tablet-1', customerId: 'sol', platform: 'android' },
      { token: 'sol-phone-22', customerId: 'sol', platform: 'ios' },
    ]);
    await database.db
      .insert(suppressions)
      .values({ channel: 'push', address: 'sol-tablet-1', reason: 'complaint', source: 'api' });

    const before = peers.fcm.accepted.length;
    const outcome = (await send(pushRequest('sol'))) as { status: string; deliveryId: string };
    expect(outcome.status).toBe('sent');
    expect(peers.fcm.accepted.slice(before).map((p) => p.message.token)).toEqual(['sol-phone-22']);
    const [row] = await database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.id, outcome.deliveryId));
    expect(row?.recipient).toBe('1 device(s)');

    await database.db
      .insert(suppressions)
      .values({ channel: 'push', address: 'sol-phone-22', reason: 'manual', source: 'api' });
    await expect(send(pushRequest('sol'))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'suppressed',
    });
    expect(peers.fcm.accepted.length).toBe(before + 1);
  });

  it('skips push with a reason when the customer has no device', async () => {
    await seedCustomer(database.db, { id: 'noor', consent: { push: 'opted_in' } });
    await expect(send(pushRequest('noor'))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'no_device_tokens',
    });
  });

  it('keeps the link of an SMS that has to be shortened', async () => {
    await seedCustomer(database.db, {
      id: 'sam',
      phone: '+14155550133',
      consent: { sms: 'opted_in' },
    });
    const words = 'Your order is packed and will leave our warehouse today. '.repeat(12);
    const request: SendMessageRequest = {
      ...pushRequest('sam'),
      channel: 'sms',
      content: { text: `${words}Track it at {{links.app}}/track/42` },
    };
    await expect(send(request)).resolves.toMatchObject({ status: 'sent' });
    const [sms] = peers.twilio.messages.filter((m) => m.to === '+14155550133');
    // "..." rather than "…": the text stays GSM-7, three segments of 153 septets.
    expect(sms?.body.endsWith('... https://shop.test/track/42')).toBe(true);
    expect(sms?.body.length).toBeGreaterThan(2 * 153);
    expect(sms?.body.length).toBeLessThanOrEqual(3 * 153);
  });
});
