import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server';
import { routePendingEvents } from '../../src/routing';
import { keywordOf } from '../../src/guardrails/inbound-sms';
import type { SmsChannel } from '../../src/channels/channel';
import { createSmsChannel } from '../../src/channels/sms-channel';
import { customers, deliveries, events, suppressions } from '../../src/db/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import {
  postSigned,
  startTwilioPeer,
  twilioSignature,
  type TwilioPeer,
} from '../support/twilio-peer';
import { API_KEY, httpCall, liveTemporal } from './harness';

/** The URL Twilio calls (a proxy in front of the API); signatures cover this, not 127.0.0.1. */
const PUBLIC = 'https://hooks.cairn.test';
const STATUS_URL = `${PUBLIC}/v1/webhooks/twilio/status`;
const INBOUND_URL = `${PUBLIC}/v1/webhooks/twilio/inbound`;
const HELP_TEXT = 'Shop & Co <support>: reply STOP to opt out.';
const PHONE = '+4915112345678';
const OTHER_PHONE = '+4915187654321';

let db: TestDatabase;
let temporal: Awaited<ReturnType<typeof liveTemporal>>;
let app: FastifyInstance;
let baseUrl: string;
let peer: TwilioPeer;
let sms: SmsChannel;

beforeAll(async () => {
  db = await createTestDatabase();
  temporal = await liveTemporal();
  peer = await startTwilioPeer();
  app = await buildApi({
    docsUi: false,
    db: db.db,
    temporal: temporal.client,
    taskQueue: `twilio-webhooks-${randomUUID()}`,
    apiKeys: [API_KEY],
    defaultTimeZone: 'UTC',
    temporalTimeoutMs: 1_500,
    twilio: { authToken: peer.authToken, publicBaseUrl: PUBLIC, helpText: HELP_TEXT },
  });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  sms = createSmsChannel({
    accountSid: peer.accountSid,
    authToken: peer.authToken,
    from: '+15005550006',
    apiBaseUrl: peer.url,
    statusCallbackUrl: STATUS_URL,
  });
  await db.db.insert(customers).values([
    { id: 'ada', phone: PHONE, consent: { email: 'opted_in', sms: 'opted_in' } },
    { id: 'ada-work', phone: PHONE, consent: {} },
    { id: 'bob', phone: OTHER_PHONE, consent: { sms: 'opted_in' } },
  ]);
});

afterAll(async () => {
  await sms.close();
  await app.close();
  await peer.stop();
  await temporal.close();
  await db.close();
});

/** Sends a real SMS through the SDK to the peer and records it in the ledger as the send path does. */
async function sentDelivery(status: 'sent' | 'unknown' = 'sent') {
  const id = randomUUID();
  const receipt = await sms.send({ deliveryId: id, to: PHONE, text: 'Your cart is waiting' });
  await db.db.insert(deliveries).values({
    id,
    deliveryKey: `wf/${id}/sms/0`,
    customerId: 'ada',
    journeyId: 'cart',
    journeyVersion: 1,
    workflowId: 'journey:cart:ada',
    stepId: 'sms',
    channel: 'sms',
    messageKind: 'marketing',
    status,
    ...(status === 'sent'
      ? { providerMessageId: receipt.providerMessageId, providerCode: receipt.providerCode }
      : {}),
    detail: receipt.detail ?? null,
    sentAt: status === 'sent' ? new Date() : null,
  });
  return { id, sid: receipt.providerMessageId };
}

const readDelivery = async (id: string) =>
  (await db.db.select().from(deliveries).where(eq(deliveries.id, id)))[0];
const readEvent = async (id: string) =>
  (await db.db.select().from(events).where(eq(events.id, id)))[0];
const consentOf = async (id: string) =>
  (await db.db.select().from(customers).where(eq(customers.id, id)))[0]?.consent;
const eventCount = async () => (await db.db.select({ n: count() }).from(events))[0]?.n;

function inbound(body: string, from = PHONE, messageSid = `SM${randomUUID().replace(/-/g, '')}`) {
  const params = {
    MessageSid: messageSid,
    AccountSid: peer.accountSid,
    From: from,
    To: '+15005550006',
    Body: body,
  };
  return postSigned(peer.authToken, INBOUND_URL, params, { via: baseUrl });
}

describe('Twilio status callbacks', () => {
  it('records a delivered report on the delivery and stores a routed sms_delivered event', async () => {
    const { id, sid } = await sentDelivery();
    const res = await peer.reportStatus(sid, 'delivered', { via: baseUrl });
    expect(res.status).toBe(200);

    const row = await readDelivery(id);
    expect(row).toMatchObject({
      status: 'sent',
      providerMessageId: sid,
      providerCode: 'delivered',
    });
    expect(row?.detail).toMatchObject({ segments: 1, deliveryStatus: 'delivered' });
    expect(typeof row?.detail?.deliveredAt).toBe('string');
    const event = await readEvent(`twilio:${sid}:delivered`);
    expect(event).toMatchObject({
      customerId: 'ada',
      type: 'sms_delivered',
      source: 'twilio',
      properties: { deliveryId: id, status: 'delivered', errorCode: null, stepId: 'sms' },
      routedAt: null,
    });
    // Stored and due: the router (one pass here) routes it.
    expect(event?.nextRoutingAt.getTime()).toBeLessThanOrEqual(Date.now());
    await routePendingEvents({
      db: db.db,
      temporal: temporal.client,
      taskQueue: 'twilio-webhooks',
      defaultTimeZone: 'UTC',
    });
    expect((await readEvent(`twilio:${sid}:delivered`))?.routedAt).toBeInstanceOf(Date);
  });

  it('is idempotent and never moves a delivery back (a late "sent" after "delivered")', async () => {
    const { id, sid } = await sentDelivery();
    await peer.reportStatus(sid, 'delivered', { via: baseUrl });
    const before = await eventCount();
    expect((await peer.reportStatus(sid, 'delivered', { via: baseUrl })).status).toBe(200);
    expect(await eventCount()).toBe(before);
    expect((await peer.reportStatus(sid, 'sent', { via: baseUrl })).status).toBe(200);
    expect((await readEvent(`twilio:${sid}:sent`))?.type).toBe('sms_sent');
    expect(await readDelivery(id)).toMatchObject({
      providerCode: 'delivered',
      detail: { deliveryStatus: 'delivered' },
    });
  });

  it('fails the delivery on undelivered with the carrier error code', async () => {
    const { id, sid } = await sentDelivery();
    await peer.reportStatus(sid, 'sent', { via: baseUrl });
    await peer.reportStatus(sid, 'undelivered', { errorCode: 30003, via: baseUrl });
    expect(await readDelivery(id)).toMatchObject({
      status: 'failed',
      reason: 'provider_rejected:twilio_30003',
      providerCode: 'twilio_30003',
      detail: { deliveryStatus: 'undelivered', errorCode: 'twilio_30003' },
    });
    expect(await readEvent(`twilio:${sid}:undelivered`)).toMatchObject({
      type: 'sms_undelivered',
      properties: { errorCode: '30003' },
    });
  });

  it('records "undelivered" as the reason when Twilio gives no error code', async () => {
    const { id, sid } = await sentDelivery();
    await peer.reportStatus(sid, 'undelivered', { via: baseUrl });
    expect(await readDelivery(id)).toMatchObject({ status: 'failed', reason: 'undelivered' });
  });

  it('settles an interrupted send (unknown) by the delivery id in the callback URL', async () => {
    const { id, sid } = await sentDelivery('unknown');
    await peer.reportStatus(sid, 'sent', { via: baseUrl });
    expect(await readDelivery(id)).toMatchObject({
      status: 'sent',
      providerMessageId: sid,
      providerCode: 'sent',
    });
  });

  it('answers 200 to an unknown MessageSid and changes nothing', async () => {
    const before = await eventCount();
    const sid = `SM${'0'.repeat(32)}`;
    const res = await postSigned(
      peer.authToken,
      STATUS_URL,
      { MessageSid: sid, MessageStatus: 'delivered' },
      { via: baseUrl },
    );
    expect(res.status).toBe(200);
    expect(await eventCount()).toBe(before);
  });

  it('rejects a bad, missing, tampered or misdirected signature with 403 and changes nothing', async () => {
    const { id, sid } = await sentDelivery();
    const rowBefore = await readDelivery(id);
    const eventsBefore = await eventCount();
    const params = { MessageSid: sid, MessageStatus: 'failed', ErrorCode: '30007' };
    const url = `${STATUS_URL}?deliveryId=${id}`;
    const attempts = [
      postSigned(peer.authToken, url, params, { via: baseUrl, signature: 'bm90IGEgc2lnbmF0dXJl' }),
      postSigned('another-token', url, params, { via: baseUrl }),
      postSigned(peer.authToken, url, params, { via: baseUrl, signature: '' }),
      // signed for /inbound, replayed against /status
      postSigned(peer.authToken, url, params, {
        via: baseUrl,
        signature: twilioSignatureFor(INBOUND_URL, params),
      }),
      postSigned(
        peer.authToken,
        url,
        { ...params, MessageStatus: 'delivered' },
        {
          via: baseUrl,
          signature: twilioSignatureFor(url, params),
        },
      ),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'forbidden' } });
    }
    expect(await readDelivery(id)).toEqual(rowBefore);
    expect(await eventCount()).toBe(eventsBefore);
  });

  it('needs no API key, while the rest of /v1 still does', async () => {
    const res = await httpCall(baseUrl, { url: '/v1/customers/ada' });
    expect(res.statusCode).toBe(401);
    const unsigned = await fetch(`${baseUrl}/v1/webhooks/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'MessageSid=SM1&MessageStatus=sent',
    });
    expect(unsigned.status).toBe(403);
    const spec = (await httpCall(baseUrl, { url: '/openapi.json' })).json() as { paths: object };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/webhooks/twilio/status', '/v1/webhooks/twilio/inbound']),
    );
  });
});

describe('inbound keywords', () => {
  it.each([
    ['STOP', 'stop'],
    [' stop. ', 'stop'],
    ['Stop texting me', 'stop'],
    ['STOPALL', 'stop'],
    ['unsubscribe', 'stop'],
    ['Cancel', 'stop'],
    ['END', 'stop'],
    ['quit!', 'stop'],
    ['START', 'start'],
    ['unstop', 'start'],
    ['yes', 'start'],
    ['Yes, see you then', null],
    ['start again please', null],
    ['HELP', 'help'],
    ['info?', 'help'],
    ['Help me', 'help'],
    ['', null],
    ['stopp', null],
    ['Where is my order?', null],
  ])('%j reads as %s', (body, keyword) => {
    expect(keywordOf(body)).toBe(keyword);
  });
});

describe('Twilio inbound messages', () => {
  it('STOP revokes SMS consent for every customer with that number, and only theirs', async () => {
    const res = await inbound('  stop ');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await consentOf('ada')).toEqual({ email: 'opted_in', sms: 'opted_out' });
    expect(await consentOf('ada-work')).toEqual({ sms: 'opted_out' });
    expect(await consentOf('bob')).toEqual({ sms: 'opted_in' });
  });

  it('START restores consent; a repeated STOP callback does not undo it', async () => {
    const stopSid = `SM${'1'.repeat(32)}`;
    await inbound('UNSUBSCRIBE', PHONE, stopSid);
    expect(await consentOf('ada')).toMatchObject({ sms: 'opted_out' });
    await inbound('Start');
    expect(await consentOf('ada')).toMatchObject({ sms: 'opted_in' });
    expect(await consentOf('ada-work')).toMatchObject({ sms: 'opted_in' });
    await inbound('UNSUBSCRIBE', PHONE, stopSid);
    expect(await consentOf('ada')).toMatchObject({ sms: 'opted_in' });
    const stored = await readEvent(`twilio:${stopSid}:ada`);
    expect(stored).toMatchObject({ type: 'sms_opted_out', properties: { keyword: 'stop' } });
  });

  it('START lifts the suppression a carrier-level STOP (Twilio 21610) left on the number', async () => {
    await db.db
      .insert(suppressions)
      .values({ channel: 'sms', address: PHONE, reason: 'complaint', source: 'twilio' });
    await inbound('START');
    const left = await db.db.select().from(suppressions).where(eq(suppressions.address, PHONE));
    expect(left).toEqual([]);
  });

  it('does not read "Yes, see you then" as an opt-in, and keeps the text out of events', async () => {
    await inbound('STOP', OTHER_PHONE);
    const sid = `SM${'2'.repeat(32)}`;
    await inbound('Yes, see you then', OTHER_PHONE, sid);
    expect(await consentOf('bob')).toEqual({ sms: 'opted_out' });
    const event = await readEvent(`twilio:${sid}:bob`);
    expect(event).toMatchObject({
      type: 'sms_received',
      properties: { keyword: null, length: 17 },
    });
    expect(JSON.stringify(event?.properties)).not.toContain('see you');
  });

  it('HELP answers with the configured text as escaped TwiML, also to unknown numbers', async () => {
    for (const from of [PHONE, '+447700900123']) {
      const res = await inbound('help me', from);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>' +
          'Shop &amp; Co &lt;support&gt;: reply STOP to opt out.</Message></Response>',
      );
    }
  });

  it('changes nothing for a number that is no customer', async () => {
    const before = await eventCount();
    const res = await inbound('STOP', '+447700900123');
    expect(res.status).toBe(200);
    expect(await eventCount()).toBe(before);
  });

  it('rejects an unsigned inbound message with 403 and changes nothing', async () => {
    const before = await consentOf('ada');
    const params = { MessageSid: `SM${'3'.repeat(32)}`, From: PHONE, Body: 'STOP' };
    const res = await postSigned(peer.authToken, INBOUND_URL, params, {
      via: baseUrl,
      signature: twilioSignatureFor(STATUS_URL, params),
    });
    expect(res.status).toBe(403);
    expect(await consentOf('ada')).toEqual(before);
  });
});

function twilioSignatureFor(url: string, params: Record<string, string>): string {
  return twilioSignature(peer.authToken, url, params);
}
