/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { customers, events, journeyVersions } from '../../src/db/schema';
import { auth, createHarness, welcomeJourney, type Harness } from './harness';

/**
 * Every body and query the customer, event, journey and inbox routes accept comes from outside:
 * whatever arrives, the answer is a 2xx or a 4xx whose issues name fields, never a 5xx, and a
 * refused request stores nothing.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live' });
  await h.inject({ method: 'PUT', url: '/v1/customers/ann', headers: auth, payload: {} });
});
afterAll(async () => h.close());

const rows = async () => ({
  customers: (await h.db.db.select({ n: count() }).from(customers))[0]?.n,
  events: (await h.db.db.select({ n: count() }).from(events))[0]?.n,
  versions: (await h.db.db.select({ n: count() }).from(journeyVersions))[0]?.n,
});

/** Sends one request; a refusal must leave every table as it was. */
async function expectSafe(method: string, url: string, payload?: unknown): Promise<number> {
  const before = await rows();
  const res = await h.inject({
    method,
    url,
    headers: auth,
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const error = res.json().error;
    expect(error.code).toEqual(expect.any(String));
    for (const issue of error.issues ?? []) expect(issue.path).toEqual(expect.any(String));
    expect(await rows()).toEqual(before);
  }
  return res.statusCode;
}

const anything = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue(),
  fc.constantFrom(
    'ann',
    'ghost',
    '',
    'Europe/Paris',
    'a@b.co',
    '+14155550100',
    '2026-12-01T10:00:00Z',
  ),
);
const runs = { numRuns: 100 };

describe('routes under random input', () => {
  it('PUT /v1/customers/:id', async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          email: anything,
          phone: anything,
          timeZone: anything,
          locale: anything,
          attributes: anything,
          consent: fc.oneof(anything, fc.record({ email: anything, sms: anything })),
        },
        { requiredKeys: [] },
      ),
    );
    const id = fc.constantFrom('ann', 'new-1', 'bad id', '%00', 'x'.repeat(250), 'y'.repeat(3_000));
    await fc.assert(
      fc.asyncProperty(id, body, async (customerId, payload) => {
        await expectSafe('PUT', `/v1/customers/${encodeURIComponent(customerId)}`, payload ?? null);
      }),
      runs,
    );
  });

  it('POST /v1/events and /v1/events/batch', async () => {
    const event = fc.record(
      {
        id: anything,
        customerId: anything,
        type: anything,
        occurredAt: anything,
        properties: anything,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), event), async (payload) => {
        await expectSafe('POST', '/v1/events', payload ?? null);
      }),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ items: fc.oneof(anything, fc.array(event, { maxLength: 4 })) }),
        ),
        async (payload) => {
          await expectSafe('POST', '/v1/events/batch', payload ?? null);
        },
      ),
      runs,
    );
  });

  it('POST /v1/journeys', async () => {
    const step = fc.record(
      {
        id: anything,
        type: fc.oneof(anything, fc.constantFrom('wait', 'send', 'exit')),
        for: anything,
        next: anything,
      },
      { requiredKeys: [] },
    );
    const definition = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          id: fc.oneof(anything, fc.constant('fuzzed')),
          name: anything,
          entry: anything,
          trigger: fc.oneof(anything, fc.record({ event: anything })),
          steps: fc.oneof(anything, fc.array(step, { maxLength: 3 })),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(definition, async (payload) => {
        await expectSafe('POST', '/v1/journeys', payload ?? null);
      }),
      { ...runs, examples: [[welcomeJourney]] },
    );
  });

  it("GET and POST a customer's inbox", async () => {
    const query = fc.record(
      {
        status: fc.oneof(fc.string(), fc.constantFrom('unread', 'all')),
        limit: fc.oneof(fc.string(), fc.integer().map(String)),
        cursor: fc.oneof(fc.string(), fc.uuid()),
      },
      { requiredKeys: [] },
    );
    const customer = fc.constantFrom('ann', 'ghost', 'bad id');
    await fc.assert(
      fc.asyncProperty(
        customer,
        query,
        fc.oneof(fc.string(), fc.uuid()),
        async (id, q, messageId) => {
          const search = new URLSearchParams(q as Record<string, string>).toString();
          const base = `/v1/customers/${encodeURIComponent(id)}/inbox`;
          await expectSafe('GET', `${base}?${search}`);
          await expectSafe('POST', `${base}/${encodeURIComponent(messageId)}/read`, {});
          await expectSafe('POST', `${base}/${encodeURIComponent(messageId)}/archive`, {});
        },
      ),
      runs,
    );
  });
});

describe('POST /v1/scores/:id/recompute under random input', () => {
  it('answers a 4xx naming the field for any id and body (no schedule on this task queue)', async () => {
    const id = fc.oneof(
      fc.string(),
      fc.constantFrom('rfm', 'engagement', 'data_quality', 'RFM', 'rfm ', '%00', 'r'.repeat(300)),
    );
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(id, anything, async (scoreId, payload) => {
        const url = `/v1/scores/${encodeURIComponent(scoreId)}/recompute`;
        statuses.add(await expectSafe('POST', url, payload));
      }),
      runs,
    );
    // Malformed ids (400), ids of no recomputed score (404), and rfm, whose schedule no worker
    // has made on this task queue (409): nothing is ever started.
    expect([...statuses].sort()).toEqual([400, 404, 409]);
  });
});

describe('long path parameters', () => {
  it('accepts the longest customer and run ids the API allows', async () => {
    const longest = 'c'.repeat(200);
    const put = await h.inject({
      method: 'PUT',
      url: `/v1/customers/${longest}`,
      headers: auth,
      payload: {},
    });
    expect(put.statusCode).toBe(201);
    const runId = encodeURIComponent(`journey:${'j'.repeat(63)}:${longest}:${'k'.repeat(200)}`);
    const run = await h.inject({ url: `/v1/runs/${runId}`, headers: auth });
    expect([run.statusCode, run.json().error.code]).toEqual([404, 'run_not_found']);
  });

  it('refuses a longer segment in the error format, without quoting it', async () => {
    const res = await h.inject({ url: `/v1/customers/${'z'.repeat(3_000)}`, headers: auth });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({
      error: { code: 'path_parameter_too_long', message: expect.any(String) },
    });
    expect(res.body).not.toContain('zzz');
  });
});
