import { eq } from 'drizzle-orm';
import { customers, deliveries } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import { startChannelPeers, type ChannelPeers } from '../support/channel-peers';
import { PUBLIC_TEST_URL, startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';
import { twilioSignature } from '../support/twilio-peer';

const PHONE = '+14155550177';

// A shipping update by SMS a few seconds after the order: time enough to text STOP in between.
const shippingUpdate = journey('shipping-update')
  .name('Shipping update')
  .trigger('order_placed')
  .steps((s) => [
    s.wait('pack', { for: '3s' }),
    s.send('shipped_sms', { channel: 'sms', content: { text: 'Your order is on its way.' } }),
  ])
  .toJSON();

describe('SMS consent from Twilio webhooks, end to end', () => {
  let peers: ChannelPeers;
  let stack: CairnTestStack;

  beforeAll(async () => {
    peers = await startChannelPeers();
    stack = await startCairnTestStack({
      channels: (db) => peers.channels(db),
      twilioAuthToken: peers.twilio.authToken,
    });
    expect((await stack.request('POST', '/v1/journeys', shippingUpdate)).status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
    await peers?.stop();
  });

  /** A form POST to a Twilio webhook, signed as Twilio signs it (or with a forged signature). */
  function twilioPost(path: string, params: Record<string, string>, signature?: string) {
    return stack.api.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature':
          signature ?? twilioSignature(peers.twilio.authToken, `${PUBLIC_TEST_URL}${path}`, params),
      },
      payload: new URLSearchParams(params).toString(),
    });
  }

  const inbound = (body: string) => ({
    MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`,
    AccountSid: peers.twilio.accountSid,
    From: PHONE,
    To: '+15005550006',
    Body: body,
  });

  it('refuses a forged inbound STOP and changes nothing', async () => {
    await stack.request('PUT', '/v1/customers/zoe', { phone: PHONE, consent: { sms: 'opted_in' } });
    const forged = await twilioPost(
      '/v1/webhooks/twilio/inbound',
      inbound('STOP'),
      'bm90LWEtc2lnbmF0dXJl',
    );
    expect(forged.statusCode).toBe(403);
    const [zoe] = await stack.database.db.select().from(customers).where(eq(customers.id, 'zoe'));
    expect(zoe?.consent).toEqual({ sms: 'opted_in' });
  });

  it('a STOP texted while the run waits skips its SMS step with the reason recorded', async () => {
    await stack.request('PUT', '/v1/customers/yusuf', {
      phone: PHONE,
      consent: { sms: 'opted_in' },
    });
    const placed = await stack.request('POST', '/v1/events', {
      id: 'order-yusuf-1',
      customerId: 'yusuf',
      type: 'order_placed',
    });
    expect(placed.status).toBe(202);
    await stack.awaitRouted('order-yusuf-1');

    const stop = await twilioPost('/v1/webhooks/twilio/inbound', inbound('Stop'));
    expect(stop.statusCode).toBe(200);

    await expect(
      stack.temporal.workflow.getHandle('journey:shipping-update:yusuf').result(),
    ).resolves.toMatchObject({ status: 'completed' });
    const rows = await stack.database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.customerId, 'yusuf'));
    expect(rows).toEqual([
      expect.objectContaining({ stepId: 'shipped_sms', status: 'skipped', reason: 'no_consent' }),
    ]);
    expect(peers.twilio.messages.filter((m) => m.to === PHONE)).toEqual([]);
  });
});
