import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server';
import { customers, customerTopics, events, topics } from '../../src/db/schema';
import { unsubscribeLinks } from '../../src/guardrails/unsubscribe-links';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { API_KEY, deadTemporal, httpCall, type InjectRequest } from './harness';

const SECRET = 'unsubscribe-secret-for-tests-0123456789';
const PUBLIC = 'https://mail.cairn.test';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let db: TestDatabase;
let temporal: ReturnType<typeof deadTemporal>;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  temporal = deadTemporal();
  app = await buildApi({
    docsUi: false,
    db: db.db,
    temporal: temporal.client,
    taskQueue: `unsubscribe-${randomUUID()}`,
    apiKeys: [API_KEY],
    defaultTimeZone: 'UTC',
    temporalTimeoutMs: 500,
    routingBackoff: { initialMs: 50, maxMs: 200 },
    unsubscribe: { secret: SECRET, publicBaseUrl: PUBLIC },
  });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  await db.db.insert(topics).values([
    { id: 'newsletter', name: 'Weekly <b>news</b>', mode: 'opt_out' },
    { id: 'beta', name: 'Beta programme', description: 'Try features early', mode: 'opt_in' },
  ]);
});
afterAll(async () => {
  await app.close();
  await temporal.close();
  await db.close();
});

let customerId: string;
beforeEach(async () => {
  customerId = `cust-${randomUUID()}`;
  await db.db.insert(customers).values({
    id: customerId,
    email: 'ada.secret@example.com',
    phone: '+4915112345678',
    consent: { sms: 'opted_in' },
  });
});

const call = (request: InjectRequest) => httpCall(baseUrl, request);
/** The API is reached at PUBLIC by customers; tests call the same path on the local server. */
const localPath = (url: string) => url.slice(PUBLIC.length);
const links = (
  target: { channel?: 'email' | 'sms' | 'push'; topic?: string; deliveryId?: string } = {},
) =>
  unsubscribeLinks(
    { secret: SECRET, publicBaseUrl: PUBLIC },
    { customerId, channel: target.channel ?? 'email', ...target },
  );
const oneClick = (
  url: string,
  payload = 'List-Unsubscribe=One-Click',
  headers: Record<string, string> = FORM,
) => call({ method: 'POST', url: localPath(url), headers, payload });

function describeEvent(event: typeof events.$inferSelect): string {
  const { channel, topic, source } = event.properties as Record<string, string>;
  return `${event.type} ${channel} ${topic ?? '-'} ${source}`;
}

async function snapshot() {
  const [customer] = await db.db.select().from(customers).where(eq(customers.id, customerId));
  return {
    consent: customer?.consent,
    topics: await db.db
      .select()
      .from(customerTopics)
      .where(eq(customerTopics.customerId, customerId)),
    events: await db.db.select().from(events).where(eq(events.customerId, customerId)),
  };
}

describe('one-click unsubscribe (RFC 8058)', () => {
  it('opts the channel out and stores an unsubscribe event', async () => {
    const deliveryId = randomUUID();
    const { unsubscribe } = links({ deliveryId });
    const res = await oneClick(unsubscribe);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('You are unsubscribed');
    expect(res.body).not.toContain('ada.secret');
    const after = await snapshot();
    expect(after.consent).toEqual({ sms: 'opted_in', email: 'opted_out' });
    expect(after.events).toEqual([
      expect.objectContaining({
        id: `unsubscribe:${deliveryId}:email:-`,
        type: 'unsubscribe',
        properties: { channel: 'email', source: 'one_click' },
      }),
    ]);
    // A provider repeating the POST changes nothing more.
    expect((await oneClick(unsubscribe)).statusCode).toBe(200);
    expect((await snapshot()).events).toHaveLength(1);
  });

  it('unsubscribes only the topic of a topic link', async () => {
    const res = await oneClick(links({ topic: 'newsletter' }).unsubscribe);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Weekly &lt;b&gt;news&lt;/b&gt;');
    const after = await snapshot();
    expect(after.consent).toEqual({ sms: 'opted_in' });
    expect(after.topics).toEqual([
      expect.objectContaining({ topicId: 'newsletter', status: 'unsubscribed' }),
    ]);
    expect(after.events).toEqual([
      expect.objectContaining({
        type: 'unsubscribe',
        properties: { channel: 'email', topic: 'newsletter', source: 'one_click' },
      }),
    ]);
  });

  it.each([
    ['an empty body', '', {}],
    [
      'a multipart body',
      '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
      { 'content-type': 'multipart/form-data; boundary=x' },
    ],
    ['a JSON content type with no body', '', { 'content-type': 'application/json' }],
  ])('accepts %s', async (_name, payload, headers) => {
    const res = await oneClick(links({ channel: 'sms' }).unsubscribe, payload, headers);
    expect(res.statusCode).toBe(200);
    expect((await snapshot()).consent).toEqual({ sms: 'opted_out' });
  });

  it('unsubscribes the channel when the topic of the link no longer exists', async () => {
    const res = await oneClick(links({ topic: 'retired-topic' }).unsubscribe);
    expect(res.statusCode).toBe(200);
    expect((await snapshot()).consent).toEqual({ sms: 'opted_in', email: 'opted_out' });
  });

  it('rejects a tampered or forged token and changes nothing', async () => {
    const before = await snapshot();
    const customersBefore = await db.db.$count(customers);
    const eventsBefore = await db.db.$count(events);
    const { unsubscribe } = links({ topic: 'newsletter' });
    const token = unsubscribe.split('/u/')[1] ?? '';
    const dot = token.indexOf('.');
    const flip = (i: number) =>
      token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    const forged = unsubscribeLinks(
      { secret: 'someone-elses-secret-0123456789abcdef', publicBaseUrl: PUBLIC },
      { customerId, channel: 'email' },
    ).unsubscribe;
    const attempts = [`/u/${flip(2)}`, `/u/${flip(dot + 3)}`, localPath(forged), '/u/garbage'];
    for (const url of attempts) {
      const res = await call({
        method: 'POST',
        url,
        headers: FORM,
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Nothing was changed');
      const page = await call({ url });
      expect(page.statusCode).toBe(400);
      const save = await call({
        method: 'POST',
        url: `${url}/preferences`,
        headers: FORM,
        payload: 'everything=off',
      });
      expect(save.statusCode).toBe(400);
    }
    expect(await snapshot()).toEqual(before);
    expect(await db.db.$count(customers)).toBe(customersBefore);
    expect(await db.db.$count(events)).toBe(eventsBefore);
  });

  it('answers 404 and changes nothing for a customer that no longer exists', async () => {
    const gone = unsubscribeLinks(
      { secret: SECRET, publicBaseUrl: PUBLIC },
      { customerId: 'never-existed', channel: 'email' },
    );
    const eventsBefore = await db.db.$count(events);
    const customersBefore = await db.db.$count(customers);
    expect((await oneClick(gone.unsubscribe)).statusCode).toBe(404);
    expect(await db.db.$count(events)).toBe(eventsBefore);
    expect(await db.db.$count(customers)).toBe(customersBefore);
  });

  it('is public: no API key needed, and the /v1 API still needs one', async () => {
    expect((await call({ url: '/v1/topics' })).statusCode).toBe(401);
  });
});

describe('preference page', () => {
  it('renders plain HTML forms without scripts or the email address', async () => {
    const { preferences, unsubscribe } = links({ topic: 'newsletter' });
    const res = await call({ url: localPath(unsubscribe) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).not.toMatch(/<script/i);
    expect(res.body).not.toContain('ada.secret');
    expect(res.body).not.toContain('+4915112345678');
    expect(res.body).toContain(`<form method="post" action="${preferences}">`);
    expect(res.body).toContain(`<form method="post" action="${unsubscribe}">`);
    expect(res.body).toContain('Emails to your email address');
    expect(res.body).toContain('<input type="checkbox" name="channel" value="email" checked>');
    expect(res.body).toContain('<input type="checkbox" name="channel" value="sms" checked>');
    // No devices: no push row.
    expect(res.body).not.toContain('value="push"');
    expect(res.body).toContain('<input type="checkbox" name="topic" value="newsletter" checked>');
    expect(res.body).toContain('<input type="checkbox" name="topic" value="beta">');
    expect(res.body).toContain('Weekly &lt;b&gt;news&lt;/b&gt;');
    expect(res.body).toContain('Unsubscribe from everything');
    expect((await call({ url: localPath(preferences) })).body).toEqual(res.body);
  });

  it('saves the choices of a submitted form and records each change', async () => {
    const { preferences } = links();
    const form = new URLSearchParams([
      ['shown_channel', 'email'],
      ['shown_channel', 'sms'],
      ['channel', 'email'],
      ['shown_topic', 'newsletter'],
      ['shown_topic', 'beta'],
      ['topic', 'beta'],
    ]);
    const res = await call({
      method: 'POST',
      url: localPath(preferences),
      headers: FORM,
      payload: form.toString(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Your choices are saved.');
    expect(res.body).toContain('<input type="checkbox" name="topic" value="beta" checked>');
    expect(res.body).toContain('<input type="checkbox" name="topic" value="newsletter">');
    const after = await snapshot();
    expect(after.consent).toEqual({ email: 'opted_in', sms: 'opted_out' });
    expect(Object.fromEntries(after.topics.map((t) => [t.topicId, t.status]))).toEqual({
      newsletter: 'unsubscribed',
      beta: 'subscribed',
    });
    // Email stayed on: only the three real changes are events.
    expect(after.events.map(describeEvent).sort()).toEqual([
      'resubscribe email beta preference_page',
      'unsubscribe email newsletter preference_page',
      'unsubscribe sms - preference_page',
    ]);
  });

  it('never opts in to SMS from the web form', async () => {
    await db.db.update(customers).set({ consent: {} }).where(eq(customers.id, customerId));
    const page = await call({ url: localPath(links().preferences) });
    expect(page.body).not.toContain('value="sms"');
    expect(page.body).toContain('reply START');
    const form = 'shown_channel=sms&channel=sms&shown_channel=email&channel=email';
    await call({
      method: 'POST',
      url: localPath(links().preferences),
      headers: FORM,
      payload: form,
    });
    expect((await snapshot()).consent).toEqual({ email: 'opted_in' });
  });

  it('unsubscribes from everything', async () => {
    const res = await call({
      method: 'POST',
      url: localPath(links().preferences),
      headers: FORM,
      payload: 'everything=off',
    });
    expect(res.statusCode).toBe(200);
    const after = await snapshot();
    expect(after.consent).toEqual({ email: 'opted_out', sms: 'opted_out', push: 'opted_out' });
    expect(after.topics.map((t) => t.status)).toEqual(['unsubscribed', 'unsubscribed']);
    // Push was on by default (no explicit choice), so turning it off is a change too.
    expect(after.events.map(describeEvent).sort()).toEqual([
      'unsubscribe email - preference_page',
      'unsubscribe email newsletter preference_page',
      'unsubscribe push - preference_page',
      'unsubscribe sms - preference_page',
    ]);
  });

  it('ignores topics and channels that do not exist', async () => {
    const res = await call({
      method: 'POST',
      url: localPath(links().preferences),
      headers: FORM,
      payload: 'shown_topic=__proto__&shown_topic=nope&shown_channel=fax&channel=fax',
    });
    expect(res.statusCode).toBe(200);
    const after = await snapshot();
    expect(after.topics).toEqual([]);
    expect(after.events).toEqual([]);
  });
});
