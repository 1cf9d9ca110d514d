/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any; the assertions check the shape. */
import { count } from 'drizzle-orm';
import { customers } from '../../src/db/schema';
import { API_KEY, auth, createHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
});
afterAll(async () => h.close());

const customerCount = async () => (await h.db.db.select({ n: count() }).from(customers))[0]?.n;

describe('authentication', () => {
  it('refuses /v1 without a key, stores nothing and says how to authenticate', async () => {
    const res = await h.inject({
      method: 'PUT',
      url: '/v1/customers/c1',
      payload: { timeZone: 'UTC' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toEqual({
      error: { code: 'unauthorized', message: expect.stringContaining('Authorization: Bearer') },
    });
    expect(await customerCount()).toBe(0);
  });

  it('refuses a wrong key and a non-bearer scheme', async () => {
    for (const authorization of [`Bearer ${API_KEY}x`, `Basic ${API_KEY}`, 'Bearer ']) {
      const res = await h.inject({
        method: 'PUT',
        url: '/v1/customers/c1',
        headers: { authorization },
        payload: {},
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    expect(await customerCount()).toBe(0);
  });

  it('serves /health and /openapi.json without a key', async () => {
    expect((await h.inject({ url: '/health' })).json()).toEqual({
      status: 'ok',
      database: 'ok',
      unknownDeliveries: 0,
    });
    const spec = (await h.inject({ url: '/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.paths['/v1/events/batch'].post.summary).toBeTruthy();
  });

  it('documents every route with tags, a summary and a response schema', async () => {
    const spec = (await h.inject({ url: '/openapi.json' })).json();
    const operations = Object.values(
      spec.paths as Record<
        string,
        Record<string, { tags?: string[]; summary?: string; responses?: object }>
      >,
    ).flatMap((path) => Object.values(path));
    expect(operations.length).toBeGreaterThanOrEqual(16);
    for (const op of operations) {
      expect(op.tags?.length).toBeGreaterThan(0);
      expect(op.summary).toBeTruthy();
      expect(Object.keys(op.responses ?? {})).not.toHaveLength(0);
    }
  });
});

describe('customers', () => {
  it('creates, merges and reads a profile', async () => {
    const created = await h.inject({
      method: 'PUT',
      url: '/v1/customers/cust-1',
      headers: auth,
      payload: {
        email: 'ada@example.com',
        timeZone: 'Europe/Paris',
        attributes: { plan: 'pro', seats: 3 },
        consent: { email: 'opted_in' },
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().created).toBe(true);

    const updated = await h.inject({
      method: 'PUT',
      url: '/v1/customers/cust-1',
      headers: auth,
      payload: { locale: 'fr-FR', attributes: { seats: null, city: 'Lyon' } },
    });
    expect(updated.statusCode).toBe(200);

    const read = await h.inject({ url: '/v1/customers/cust-1', headers: auth });
    expect(read.json()).toMatchObject({
      id: 'cust-1',
      email: 'ada@example.com',
      timeZone: 'Europe/Paris',
      locale: 'fr-FR',
      attributes: { plan: 'pro', city: 'Lyon' },
      consent: { email: 'opted_in' },
    });
  });

  it('rejects an invalid IANA zone naming timeZone, without echoing the value', async () => {
    const res = await h.inject({
      method: 'PUT',
      url: '/v1/customers/cust-2',
      headers: auth,
      payload: { timeZone: 'Mars/Olympus_Mons', email: 'not-an-email' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.issues).toEqual(
      expect.arrayContaining([
        { path: 'timeZone', message: expect.stringContaining('IANA') },
        { path: 'email', message: expect.any(String) },
      ]),
    );
    expect(res.body).not.toContain('Mars');
    expect(res.body).not.toContain('not-an-email');
    expect(
      await h.inject({ url: '/v1/customers/cust-2', headers: auth }).then((r) => r.statusCode),
    ).toBe(404);
  });

  it('names unknown fields and answers 404 with a code for a missing customer', async () => {
    const res = await h.inject({
      method: 'PUT',
      url: '/v1/customers/cust-3',
      headers: auth,
      payload: { time_zone: 'UTC' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([
      { path: 'time_zone', message: 'is not a known field' },
    ]);

    const missing = await h.inject({ url: '/v1/customers/nobody', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('customer_not_found');
  });

  it('answers invalid JSON with a fixed message that echoes nothing', async () => {
    const res = await h.inject({
      method: 'PUT',
      url: '/v1/customers/cust-4',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"email": "secret@example.com",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: 'invalid_json', message: 'request body is not valid JSON' },
    });
  });
});
