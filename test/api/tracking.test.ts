import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server';
import { routePendingEvents } from '../../src/routing';
import { customers, deliveries, events } from '../../src/db/schema';
import { storeDeliveryLinks } from '../../src/tracking/delivery-links';
import { signTrackingToken, type TrackingClaims } from '../../src/tracking/tracking-token';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { API_KEY, deadTemporal } from './harness';

const SECRET = 'tracking-secret-for-api-tests-0123456789';
const PUBLIC = 'https://t.cairn.test';
const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const SHOP_URL = 'https://shop.test/cart?id=9&utm=mail';

let db: TestDatabase;
let temporal: ReturnType<typeof deadTemporal>;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  // No run listens in these tests, so routing never calls Temporal.
  temporal = deadTemporal();
  app = await buildApi({
    docsUi: false,
    db: db.db,
    temporal: temporal.client,
    taskQueue: `tracking-${randomUUID()}`,
    apiKeys: [API_KEY],
    defaultTimeZone: 'UTC',
    temporalTimeoutMs: 500,
    tracking: { secret: SECRET, publicBaseUrl: PUBLIC, excludeMachineEngagement: true },
  });
});
afterAll(async () => {
  await app.close();
  await temporal.close();
  await db.close();
});

let customerId: string;
let deliveryId: string;
beforeEach(async () => {
  customerId = `cust-${randomUUID()}`;
  deliveryId = randomUUID();
  await db.db.insert(customers).values({ id: customerId, email: 'ada@example.com' });
  await db.db.insert(deliveries).values({
    id: deliveryId,
    deliveryKey: `key-${deliveryId}`,
    customerId,
    journeyId: 'cart-nudge',
    journeyVersion: 1,
    workflowId: `journey:cart-nudge:${customerId}`,
    stepId: 'nudge',
    channel: 'email',
    messageKind: 'marketing',
    status: 'sent',
    sentAt: new Date(Date.now() - 60_000),
  });
  await storeDeliveryLinks(db.db, deliveryId, [
    { index: 0, url: SHOP_URL },
    { index: 1, url: 'https://shop.test/ünïcode path' },
  ]);
});

const token = (claims: Omit<TrackingClaims, 'deliveryId'>, id = deliveryId) =>
  signTrackingToken(SECRET, { deliveryId: id, ...claims });
const get = (url: string, userAgent = BROWSER, method: 'GET' | 'HEAD' = 'GET') =>
  app.inject({ method, url, headers: { 'user-agent': userAgent } });
const storedEvents = () => db.db.select().from(events).where(eq(events.customerId, customerId));

describe('click redirects', () => {
  it('redirects a valid click to the stored URL and stores email_clicked with its delivery', async () => {
    const response = await get(`/t/c/${token({ kind: 'click', linkIndex: 0 })}`);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(SHOP_URL);
    expect(response.headers['cache-control']).toContain('no-store');
    const [event, ...others] = await storedEvents();
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      type: 'email_clicked',
      deliveryId,
      flags: {},
      source: 'tracking',
      properties: {
        deliveryId,
        journeyId: 'cart-nudge',
        stepId: 'nudge',
        channel: 'email',
        linkIndex: 0,
      },
      routedAt: null,
    });
    // Stored and due: the router (one pass here) routes it without Temporal (no run listens).
    await routePendingEvents({
      db: db.db,
      temporal: temporal.client,
      taskQueue: 'tracking',
      defaultTimeZone: 'UTC',
      temporalTimeoutMs: 500,
    });
    expect((await storedEvents())[0]?.routedAt).toBeInstanceOf(Date);
  });

  it('percent-encodes a stored URL with non-ASCII characters', async () => {
    const response = await get(`/t/c/${token({ kind: 'click', linkIndex: 1 })}`);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('https://shop.test/%C3%BCn%C3%AFcode%20path');
  });

  it('redirects a HEAD request without storing anything', async () => {
    const response = await get(`/t/c/${token({ kind: 'click', linkIndex: 0 })}`, BROWSER, 'HEAD');
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(SHOP_URL);
    expect(await storedEvents()).toEqual([]);
  });

  it('stores a bot click flagged and leaves it out of routing when excluded', async () => {
    const response = await get(
      `/t/c/${token({ kind: 'click', linkIndex: 0 })}`,
      'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    );
    expect(response.statusCode).toBe(302);
    const [event] = await storedEvents();
    expect(event).toMatchObject({
      type: 'email_clicked',
      flags: { bot: true },
      routingAttempts: 0,
    });
    expect(event?.routedAt).toBeInstanceOf(Date);
  });

  it('redirects an SMS short link and stores sms_clicked', async () => {
    const sms = token({ kind: 'sms_click', linkIndex: 0 });
    expect(sms.length).toBeLessThan(40);
    const response = await get(`/t/s/${sms}`);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(SHOP_URL);
    expect((await storedEvents()).map((e) => e.type)).toEqual(['sms_clicked']);
  });

  const valid = () => token({ kind: 'click', linkIndex: 0 });
  it.each([
    [
      'a forged token',
      () => signTrackingToken(`${SECRET}-other`, { deliveryId, kind: 'click', linkIndex: 0 }),
    ],
    ['an altered token', () => alter(valid())],
    ['garbage', () => 'not-a-token'],
    ['an open token on the click route', () => token({ kind: 'open' })],
    ['an SMS token on the email route', () => token({ kind: 'sms_click', linkIndex: 0 })],
    ['a link the delivery does not have', () => token({ kind: 'click', linkIndex: 7 })],
    ['an unknown delivery', () => token({ kind: 'click', linkIndex: 0 }, randomUUID())],
  ])('answers %s with an error page, no redirect and nothing stored', async (_name, make) => {
    const response = await get(`/t/c/${make()}`);
    expect(response.statusCode).toBe(404);
    expect(response.headers.location).toBeUndefined();
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('This link is not valid');
    expect(response.body).not.toContain('shop.test');
    expect(await storedEvents()).toEqual([]);
  });
});

describe('the open pixel', () => {
  const isGif = (response: {
    statusCode: number;
    headers: Record<string, unknown>;
    rawPayload: Buffer;
  }) => {
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/gif');
    expect(response.headers['cache-control']).toContain('no-cache');
    expect(response.rawPayload.subarray(0, 6).toString('ascii')).toBe('GIF89a');
  };

  it('answers a GIF and stores one open for a burst of loads in a minute', async () => {
    const url = `/t/o/${token({ kind: 'open' })}`;
    isGif(await get(url));
    isGif(await get(url));
    const opens = await storedEvents();
    expect(opens.length).toBeGreaterThanOrEqual(1);
    expect(opens.length).toBeLessThanOrEqual(2); // a minute boundary may fall between the loads
    expect(opens[0]).toMatchObject({ type: 'email_opened', deliveryId, flags: {} });
  });

  it('flags an Apple Mail Privacy Protection open as a machine open', async () => {
    isGif(await get(`/t/o/${token({ kind: 'open' })}`, 'Mozilla/5.0'));
    const [open] = await storedEvents();
    expect(open).toMatchObject({ type: 'email_opened', flags: { machineOpen: true } });
  });

  it('answers a GIF to an invalid token and stores nothing', async () => {
    isGif(await get(`/t/o/${alter(token({ kind: 'open' }))}`));
    isGif(await get('/t/o/garbage'));
    isGif(await get(`/t/o/${token({ kind: 'click', linkIndex: 0 })}`));
    expect(await storedEvents()).toEqual([]);
  });
});

it('serves no tracking routes without tracking settings', async () => {
  const bare = await buildApi({
    docsUi: false,
    db: db.db,
    temporal: temporal.client,
    taskQueue: 'none',
    apiKeys: [API_KEY],
    defaultTimeZone: 'UTC',
  });
  try {
    const response = await bare.inject({ method: 'GET', url: `/t/o/${token({ kind: 'open' })}` });
    expect(response.statusCode).toBe(404);
  } finally {
    await bare.close();
  }
});

it('never writes a tracking token to the request log', async () => {
  const lines: string[] = [];
  const logged = await buildApi({
    docsUi: false,
    db: db.db,
    temporal: temporal.client,
    taskQueue: 'logged',
    apiKeys: [API_KEY],
    defaultTimeZone: 'UTC',
    logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
    tracking: { secret: SECRET, publicBaseUrl: PUBLIC, excludeMachineEngagement: false },
  });
  try {
    const click = token({ kind: 'click', linkIndex: 0 });
    const open = token({ kind: 'open' });
    await logged.inject({ method: 'GET', url: `/t/c/${click}` });
    await logged.inject({ method: 'GET', url: `/t/o/${open}` });
    const log = lines.join('');
    expect(log).toContain('/t/c/[token]');
    expect(log).toContain('/t/o/[token]');
    expect(log).not.toContain(click);
    expect(log).not.toContain(open);
  } finally {
    await logged.close();
  }
});

/** Flips one character in the middle of the token. */
function alter(value: string): string {
  const i = Math.floor(value.length / 2);
  return value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
}
