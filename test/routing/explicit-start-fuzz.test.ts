/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are read as loose JSON; the assertions check the shape. */
import { count, ne } from 'drizzle-orm';
import fc from 'fast-check';
import { journeyRuns } from '../../src/db/schema';
import { auth, createHarness, publishJourney, welcomeJourney, type Harness } from '../api/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live' });
  await h.inject({ method: 'PUT', url: '/v1/customers/ann', headers: auth, payload: {} });
  for (const definition of [
    welcomeJourney,
    { ...welcomeJourney, id: 'carts', reEntry: { mode: 'keyed', key: 'cart_id' } },
    {
      ...welcomeJourney,
      id: 'vip',
      trigger: {
        event: 'signed_up',
        when: { conditions: [{ field: 'profile.hasEmail', op: 'eq', value: true }] },
      },
    },
  ]) {
    await publishJourney(h, definition);
  }
});
afterAll(async () => h.close());

describe('POST /v1/journeys/:id/runs (fuzzed)', () => {
  it('answers a 2xx or a 4xx naming fields, never a 5xx, and registers only real starts', async () => {
    const value = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue(),
      fc.constantFrom('ann', 'ghost', 'c-1', '', 'x'.repeat(300)),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ customerId: value, key: value, properties: value }, { requiredKeys: [] }),
    );
    const journey = fc.constantFrom('welcome', 'carts', 'vip', 'no-such', 'Bad Id');
    let started = 0;
    await fc.assert(
      fc.asyncProperty(journey, body, async (journeyId, payload) => {
        const res = await h.inject({
          method: 'POST',
          url: `/v1/journeys/${encodeURIComponent(journeyId)}/runs`,
          headers: auth,
          payload: JSON.stringify(payload ?? null),
        });
        expect([200, 201, 400, 404, 409, 422]).toContain(res.statusCode);
        if (res.statusCode === 201) started += 1;
        if (res.statusCode >= 400) {
          const error = res.json().error;
          expect(error.code).toEqual(expect.any(String));
          for (const issue of error.issues ?? []) expect(issue.path).toEqual(expect.any(String));
        }
      }),
      {
        numRuns: 200,
        // The deep paths, whatever the seed: a start, a failed condition, a missing key, 404s.
        examples: [
          ['welcome', { customerId: 'ann' }],
          ['vip', { customerId: 'ann' }],
          ['carts', { customerId: 'ann' }],
          ['no-such', { customerId: 'ann' }],
          ['welcome', { customerId: 'ghost' }],
        ],
      },
    );
    const [rows] = await h.db.db
      .select({ n: count() })
      .from(journeyRuns)
      .where(ne(journeyRuns.status, 'failed'));
    expect(rows?.n).toBe(started);
  });
});
