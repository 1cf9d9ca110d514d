/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- response bodies are read as loose JSON; the assertions check the shape. */
import { count, ne } from 'drizzle-orm';
import fc from 'fast-check';
import { journeyRuns } from '../../src/db/schema';
import { auth, createHarness, publishJourney, welcomeJourney, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live' });
  for (const id of ['ann', 'bob']) {
    await h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload: {} });
  }
  await publishJourney(h, { ...welcomeJourney, reEntry: { mode: 'after_exit' } });
  await publishJourney(h, {
    ...welcomeJourney,
    id: 'carts',
    reEntry: { mode: 'keyed', key: 'cart_id' },
  });
});
afterAll(async () => h.close());

const value = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue(),
  fc.constantFrom('ann', 'bob', 'ghost', '', 'x'.repeat(300), 'journey:welcome:ann'),
);
const issuesNameFields = (error: { code: unknown; issues?: { path: unknown }[] }) => {
  expect(error.code).toEqual(expect.any(String));
  for (const issue of error.issues ?? []) expect(issue.path).toEqual(expect.any(String));
};

describe('bulk run bodies (fuzzed)', () => {
  it('a bulk start answers 200 per item or a 4xx naming fields, never a 5xx', async () => {
    const item = fc.oneof(
      fc.jsonValue(),
      fc.record({ customerId: value, key: value, properties: value }, { requiredKeys: [] }),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ items: fc.oneof(value, fc.array(item, { maxLength: 6 })) }, { requiredKeys: [] }),
    );
    const journey = fc.constantFrom('welcome', 'carts', 'no-such', 'Bad Id');
    let started = 0;
    await fc.assert(
      fc.asyncProperty(journey, body, async (journeyId, payload) => {
        const res = await h.inject({
          method: 'POST',
          url: `/v1/journeys/${encodeURIComponent(journeyId)}/runs/batch`,
          headers: auth,
          payload: JSON.stringify(payload ?? null),
        });
        expect([200, 400, 404, 409]).toContain(res.statusCode);
        if (res.statusCode >= 400) return issuesNameFields(res.json().error);
        const { items, counts } = res.json();
        expect(items).toHaveLength((payload as { items: unknown[] }).items.length);
        started += counts.started;
        for (const result of items) {
          expect(['started', 'already_running', 'blocked', 'refused']).toContain(result.outcome);
          for (const issue of result.issues ?? [])
            expect(issue.path).toMatch(/^(items\.\d+\.|id$)/);
        }
      }),
      {
        numRuns: 150,
        examples: [
          ['welcome', { items: [{ customerId: 'ann' }, { customerId: 'ghost' }] }],
          ['carts', { items: [{ customerId: 'bob' }, { customerId: 'bob', key: 'k' }] }],
        ],
      },
    );
    const [rows] = await h.db.db
      .select({ n: count() })
      .from(journeyRuns)
      .where(ne(journeyRuns.status, 'failed'));
    expect(rows?.n).toBe(started);
  });

  it('a bulk cancel answers 200 per run or a 4xx naming fields, never a 5xx', async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          workflowIds: fc.oneof(value, fc.array(value, { maxLength: 5 })),
          journeyId: fc.oneof(value, fc.constantFrom('welcome', 'carts')),
          after: value,
          limit: fc.oneof(value, fc.integer({ min: -2, max: 600 })),
          reason: value,
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const res = await h.inject({
          method: 'POST',
          url: '/v1/runs/cancel',
          headers: auth,
          payload: JSON.stringify(payload ?? null),
        });
        expect([200, 400]).toContain(res.statusCode);
        if (res.statusCode === 400) return issuesNameFields(res.json().error);
        for (const result of res.json().items) {
          expect([
            'cancel_requested',
            'not_running',
            'not_found',
            'temporal_unavailable',
          ]).toContain(result.outcome);
        }
      }),
      {
        numRuns: 150,
        examples: [
          [{ workflowIds: ['journey:welcome:ann', 'nope'] }],
          [{ journeyId: 'welcome', limit: 1 }],
        ],
      },
    );
  });
});
