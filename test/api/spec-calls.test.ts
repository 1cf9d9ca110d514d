/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are read as loose JSON; the assertions check the shape. */
import { Analytics } from '@segment/analytics-node';
import { and, asc, eq, ne } from 'drizzle-orm';
import { customers, events } from '../../src/db/schema';
import { auth, createHarness, WRITE_KEY, type Harness } from './harness';

/**
 * Segment's tracking spec as teams already send it: analytics-node pointed at Cairn, and the
 * documented payloads of identify, track, page, alias and batch, posted as they are.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
});
afterAll(async () => h.close());

const basic = { authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` };
const post = (url: string, payload: unknown, headers: Record<string, string> = basic) =>
  h.inject({ method: 'POST', url, headers, payload });

const eventsOf = (customerId: string) =>
  h.db.db
    .select({
      id: events.id,
      type: events.type,
      source: events.source,
      occurredAt: events.occurredAt,
      properties: events.properties,
    })
    .from(events)
    // The merges' own customer_merged events aside: these tests follow the calls' events.
    .where(and(eq(events.customerId, customerId), ne(events.type, 'customer_merged')))
    .orderBy(asc(events.seq));

const customer = async (id: string) =>
  (await h.db.db.select().from(customers).where(eq(customers.id, id)))[0];

it("takes analytics-node's calls as the library sends them", async () => {
  const analytics = new Analytics({ writeKey: WRITE_KEY, host: h.baseUrl, flushAt: 20 });
  const failures: unknown[] = [];
  analytics.on('error', (error) => failures.push(error));
  analytics.identify({
    userId: 'lib-ada',
    traits: { email: 'Ada@Example.com', firstName: 'Ada', plan: 'pro' },
    context: { timezone: 'Europe/London', locale: 'en-GB' },
  });
  analytics.track({
    userId: 'lib-ada',
    event: 'Order Completed',
    properties: { order_id: 'o-1', total: 120 },
  });
  analytics.page({ userId: 'lib-ada', name: 'Pricing', properties: { path: '/pricing' } });
  await analytics.closeAndFlush({ timeout: 10_000 });
  expect(failures).toEqual([]);

  expect(await customer('lib-ada')).toMatchObject({
    email: 'ada@example.com',
    timeZone: 'Europe/London',
    locale: 'en-GB',
    attributes: expect.objectContaining({ first_name: 'Ada', plan: 'pro' }),
  });
  // The library dispatches each call on its own: their order in its batches is its own.
  const stored = new Map((await eventsOf('lib-ada')).map((e) => [e.type, e]));
  expect([...stored.keys()].sort()).toEqual(['page_view', 'purchase']);
  expect(stored.get('purchase')).toMatchObject({
    source: 'website',
    properties: { order_id: 'o-1', total: 120 },
  });
  expect(stored.get('page_view')).toMatchObject({
    source: 'website',
    properties: { path: '/pricing', name: 'Pricing' },
  });
});

const documented = {
  identify: {
    type: 'identify',
    messageId: 'doc-identify-1',
    userId: 'doc-bo',
    traits: { email: 'bo@example.com', name: 'Bo', phone: '+1 (415) 555-0100' },
    timestamp: '2026-11-30T10:00:00.000Z',
    context: { library: { name: 'analytics.js', version: '2.11.1' }, ip: '8.8.8.8' },
    integrations: { All: true },
  },
  track: {
    type: 'track',
    messageId: 'doc-track-1',
    userId: 'doc-bo',
    event: 'Product Added',
    properties: { product_id: 'p-9', price: 30 },
    timestamp: '2026-11-30T10:01:00.000Z',
  },
};

it('applies a replayed messageId once: an older identify replayed does not undo a newer one', async () => {
  const first = await post('/v1/batch', {
    batch: [documented.identify, documented.track],
    sentAt: '2026-11-30T10:01:00.000Z',
  });
  expect(first.statusCode).toBe(200);
  expect(first.json()).toEqual({
    success: true,
    messages: [
      { messageId: 'doc-identify-1', duplicate: false, customerId: 'doc-bo' },
      { messageId: 'doc-track-1', duplicate: false, customerId: 'doc-bo' },
    ],
  });
  const newer = await post('/v1/identify', {
    messageId: 'doc-identify-2',
    userId: 'doc-bo',
    traits: { name: 'Bo Baker' },
  });
  expect(newer.statusCode).toBe(200);

  const replay = await post('/v1/batch', { batch: [documented.identify, documented.track] });
  expect(replay.statusCode).toBe(200);
  expect(replay.json().messages.map((m: { duplicate: boolean }) => m.duplicate)).toEqual([
    true,
    true,
  ]);
  expect(await customer('doc-bo')).toMatchObject({
    email: 'bo@example.com',
    phone: '+14155550100',
    attributes: { name: 'Bo Baker' },
  });
  expect((await eventsOf('doc-bo')).map((e) => [e.id, e.type])).toEqual([
    ['doc-track-1', 'add_to_cart'],
  ]);
});

it("corrects the device clock's skew: receivedAt − (sentAt − timestamp)", async () => {
  // The phone's clock runs two hours ahead; the call waited 30 s on it before it was sent.
  const ahead = Date.now() + 2 * 3_600_000;
  const before = Date.now();
  const res = await post('/v1/track', {
    messageId: 'skew-1',
    anonymousId: 'dev-skewed',
    event: 'App Opened',
    timestamp: new Date(ahead - 30_000).toISOString(),
    sentAt: new Date(ahead).toISOString(),
  });
  const after = Date.now();
  expect(res.statusCode).toBe(200);
  const [stored] = await eventsOf(res.json().messages[0].customerId);
  const at = stored?.occurredAt.getTime() ?? 0;
  expect(at).toBeGreaterThanOrEqual(before - 30_000);
  expect(at).toBeLessThanOrEqual(after - 30_000);
  expect(stored?.type).toBe('app_opened');
});

it('takes an explicit historical timestamp as it is when nothing says the clock is off', async () => {
  const res = await post('/v1/track', {
    messageId: 'history-1',
    userId: 'doc-bo',
    event: 'Order Completed',
    timestamp: '2025-03-01T12:00:00.000Z',
  });
  expect(res.statusCode).toBe(200);
  const stored = (await eventsOf('doc-bo')).find((e) => e.id === 'history-1');
  expect(stored?.occurredAt.toISOString()).toBe('2025-03-01T12:00:00.000Z');
});

it('makes an anonymous visitor and their sign-up one customer with the whole history', async () => {
  for (const [messageId, event] of [
    ['anon-view-1', 'Product Viewed'],
    ['anon-view-2', 'Product Viewed'],
  ] as const) {
    const res = await post('/v1/track', { messageId, anonymousId: 'visitor-42', event });
    expect(res.json().messages[0].customerId).toBe('anon:visitor-42');
  }
  const signup = await post('/v1/identify', {
    messageId: 'anon-identify',
    userId: 'cleo',
    anonymousId: 'visitor-42',
    traits: { email: 'cleo@example.com' },
  });
  expect(signup.statusCode).toBe(200);
  expect(signup.json().messages[0].customerId).toBe('cleo');
  const after = await post('/v1/track', {
    messageId: 'anon-view-3',
    anonymousId: 'visitor-42',
    event: 'Product Viewed',
  });
  expect(after.json().messages[0].customerId).toBe('cleo');
  expect((await eventsOf('cleo')).map((e) => e.id)).toEqual([
    'anon-view-1',
    'anon-view-2',
    'anon-view-3',
  ]);
  expect(await eventsOf('anon:visitor-42')).toEqual([]);
});

it('knows a visitor on a second device by the email their identify names', async () => {
  const known = await post('/v1/identify', {
    messageId: 'email-known',
    userId: 'sam',
    traits: { email: 'Sam@Example.com' },
  });
  expect(known.statusCode).toBe(200);
  await post('/v1/track', { messageId: 'dev2-view', anonymousId: 'device-2', event: 'Viewed' });
  // A newsletter form on the second device: no userId, only the email.
  const form = await post('/v1/identify', {
    messageId: 'email-form',
    anonymousId: 'device-2',
    traits: { email: 'sam@example.com' },
  });
  expect(form.json().messages[0].customerId).toBe('sam');
  expect((await eventsOf('sam')).map((e) => e.id)).toEqual(['dev2-view']);
  const identities = await h.inject({ url: '/v1/customers/sam/identities', headers: auth });
  expect(identities.json().identifiers).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ type: 'email', value: 'sam@example.com' }),
      expect.objectContaining({ type: 'anonymousId', value: 'device-2' }),
    ]),
  );
  // A track naming an email in its properties is no identify: it merges nobody.
  await post('/v1/track', {
    messageId: 'dev3-view',
    anonymousId: 'device-3',
    event: 'Viewed',
    properties: { email: 'sam@example.com' },
  });
  expect(await eventsOf('anon:device-3')).toHaveLength(1);
});

it('alias merges the earlier id into the userId', async () => {
  await post('/v1/track', { messageId: 'alias-pre', anonymousId: 'visitor-77', event: 'Viewed' });
  const res = await post('/v1/alias', {
    messageId: 'alias-1',
    previousId: 'visitor-77',
    userId: 'dana',
  });
  expect(res.statusCode).toBe(200);
  expect((await eventsOf('dana')).map((e) => e.id)).toEqual(['alias-pre']);
});

it('refuses an invalid call in a batch by its path and applies nothing of the batch', async () => {
  const res = await post('/v1/batch', {
    batch: [
      { type: 'identify', messageId: 'bad-1', userId: 'eve', traits: { email: 'eve@example.com' } },
      { type: 'track', messageId: 'bad-2', userId: 'eve' },
      { type: 'page', messageId: 'bad-3' },
      { type: 'identify', messageId: 'bad-4', userId: 'eve', traits: { email: 'not-an-email' } },
    ],
  });
  expect(res.statusCode).toBe(400);
  const paths = res.json().error.issues.map((i: { path: string }) => i.path);
  expect(paths).toEqual(
    expect.arrayContaining(['batch.1.event', 'batch.2.userId', 'batch.3.traits.email']),
  );
  expect(await customer('eve')).toBeUndefined();
  const retry = await post('/v1/identify', { messageId: 'bad-1', userId: 'eve' });
  expect(retry.json().messages[0].duplicate).toBe(false);
});

it('lets a write key reach the spec endpoints only, recorded as its source', async () => {
  expect((await post('/v1/track', { userId: 'x', event: 'E' }, {})).statusCode).toBe(401);
  const wrong = {
    authorization: `Basic ${Buffer.from('wk_nope_0000000000000000:').toString('base64')}`,
  };
  expect((await post('/v1/track', { userId: 'x', event: 'E' }, wrong)).statusCode).toBe(401);
  expect((await h.inject({ url: '/v1/customers/doc-bo', headers: basic })).statusCode).toBe(401);
  const bodyKey = await post(
    '/v1/batch',
    { writeKey: WRITE_KEY, batch: [{ type: 'track', userId: 'fay', event: 'E' }] },
    {},
  );
  expect(bodyKey.statusCode).toBe(200);
  const apiKey = await post('/v1/track', { userId: 'fay', event: 'F', messageId: 'fay-f' }, auth);
  expect(apiKey.statusCode).toBe(200);
  expect((await eventsOf('fay')).map((e) => [e.type, e.source])).toEqual([
    ['e', 'website'],
    ['f', 'api'],
  ]);
});
