/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { rowsOf } from '../../src/db/rows';
import { auth, createHarness, type Harness } from './harness';
import { tableDigest } from './table-digest';

/**
 * The identity routes take their input from outside: whatever arrives the answer is a 2xx or a
 * 4xx whose issues name fields, never a 5xx, and a refused request changes nothing.
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live' });
  for (const id of ['fz-a', 'fz-b', 'fz-c']) {
    await h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload: {} });
  }
});
afterAll(async () => h?.close());

const TABLES = [
  'customers',
  'events',
  'customer_merges',
  'customer_redirects',
  'customer_identifiers',
  'journey_runs',
];
const digest = () => tableDigest(h.db.db, TABLES);

async function expectSafe(method: string, url: string, payload?: string): Promise<number> {
  const before = await digest();
  const res = await h.inject({
    method,
    url,
    headers: { ...auth, 'content-type': 'application/json' },
    ...(payload !== undefined ? { payload } : {}),
  });
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const error = res.json().error;
    expect(error.code).toEqual(expect.any(String));
    for (const issue of error.issues ?? []) expect(issue.path).toEqual(expect.any(String));
    expect(await digest()).toEqual(before);
  }
  return res.statusCode;
}

const ids = fc.oneof(
  fc.constantFrom('fz-a', 'fz-b', 'fz-c', 'ghost', 'bad id', '%00', '%ZZ', 'x'.repeat(250)),
  fc.string({ maxLength: 30 }),
);
const bodies = fc.oneof(
  fc.record(
    {
      from: fc.oneof(ids, fc.jsonValue()),
      reason: fc.oneof(fc.string({ maxLength: 250 }), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);
const runs = { numRuns: 60 };

describe('identity routes under random input', () => {
  it('POST /v1/customers/:id/merge', async () => {
    await fc.assert(
      fc.asyncProperty(ids, bodies, async (id, body) => {
        const status = await expectSafe(
          'POST',
          `/v1/customers/${encodeURIComponent(id)}/merge`,
          JSON.stringify(body) ?? 'null',
        );
        if (status === 200) {
          // Undo it, so later cases find the same customers.
          const merges = await h.db.db.execute(
            sql`select id from customer_merges where status = 'applied'`,
          );
          for (const row of rowsOf<{ id: string }>(merges)) {
            await h.inject({
              method: 'POST',
              url: `/v1/merges/${row.id}/unmerge`,
              headers: auth,
              payload: {},
            });
          }
        }
      }),
      runs,
    );
  });

  it('POST /v1/merges/:mergeId/unmerge and GET /v1/customers/:id/identities', async () => {
    const mergeIds = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), ids);
    await fc.assert(
      fc.asyncProperty(mergeIds, ids, async (mergeId, id) => {
        await expectSafe('POST', `/v1/merges/${encodeURIComponent(mergeId)}/unmerge`, '{}');
        await expectSafe('GET', `/v1/customers/${encodeURIComponent(id)}/identities`);
      }),
      runs,
    );
  });

  it('a malformed body is a 400 naming no value', async () => {
    for (const payload of ['{', '[]', '"from"', '{"from": "fz-a", "from": 1}']) {
      const status = await expectSafe('POST', '/v1/customers/fz-b/merge', payload);
      expect(status).toBeGreaterThanOrEqual(400);
    }
  });
});
