/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { rowsOf } from '../../src/db/rows';
import { erasureWorkflowId } from '../../src/workflows/erasure-names';
import { auth, createHarness, type Harness } from './harness';

/**
 * The erasure and export routes and the profile write's newOptIn take their input from outside:
 * whatever arrives the answer is a 2xx or a 4xx whose issues name fields, never a 5xx, and a
 * refused request stores nothing (no tombstone, no profile, no event).
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live' });
  for (const id of ['ann', 'bea']) {
    await h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload: {} });
  }
});
afterAll(async () => {
  // No worker runs this harness's task queue: the erasures it started would wait forever.
  for (const id of ['ann', 'bea']) {
    await h.temporal.workflow
      .getHandle(erasureWorkflowId(id))
      .terminate('test over')
      .catch(() => undefined);
  }
  await h.close();
});

const TABLES = ['customers', 'events', 'customer_tombstones', 'erased_identifiers'];

/** Count and a hash of every row of the tables a privacy request could write. */
async function digest(): Promise<unknown> {
  const columns = TABLES.map(
    (table) =>
      sql`(select count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)::numeric), 0) from ${sql.identifier(table)} t) as ${sql.identifier(table)}`,
  );
  return rowsOf(await h.db.db.execute(sql`select ${sql.join(columns, sql`, `)}`))[0];
}

async function expectSafe(method: string, url: string, payload?: unknown): Promise<number> {
  const before = await digest();
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
    expect(await digest()).toEqual(before);
  }
  return res.statusCode;
}

const ids = fc.oneof(
  fc.constantFrom(
    'ann',
    'bea',
    'ghost',
    'bad id',
    '%00',
    '%ZZ',
    'x'.repeat(250),
    'y'.repeat(3_000),
  ),
  fc.string({ maxLength: 30 }),
);
const path = (id: string) => `/v1/customers/${encodeURIComponent(id)}`;
const runs = { numRuns: 60 };

describe('privacy routes under random input', () => {
  it('DELETE /v1/customers/:id (with or without a body)', async () => {
    await fc.assert(
      fc.asyncProperty(ids, fc.option(fc.jsonValue(), { nil: undefined }), async (id, body) => {
        const status = await expectSafe('DELETE', path(id), body);
        if (status === 404) expect(['ann', 'bea']).not.toContain(id);
      }),
      runs,
    );
    // Whatever came before, 'ann' is erasing now, and a second request joins the first.
    expect((await h.inject({ method: 'DELETE', url: path('ann'), headers: auth })).statusCode).toBe(
      202,
    );
  });

  it('GET /v1/customers/:id/erasure and /export', async () => {
    await fc.assert(
      fc.asyncProperty(ids, fc.constantFrom('erasure', 'export'), async (id, what) => {
        await expectSafe('GET', `${path(id)}/${what}`);
      }),
      runs,
    );
  });

  it('PUT /v1/customers/:id with newOptIn, for ids being erased and others', async () => {
    await h.inject({ method: 'DELETE', url: path('bea'), headers: auth });
    const anything = fc.oneof(fc.jsonValue(), fc.constantFrom(true, false, 'true', 1, null));
    const body = fc.record(
      { newOptIn: anything, email: fc.oneof(anything, fc.constant('a@b.co')) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(ids, body, async (id, payload) => {
        const status = await expectSafe('PUT', path(id), payload);
        // A customer being erased takes no write, new opt-in or not.
        if (id === 'bea' && status < 400) throw new Error('a write to an erasing id was taken');
      }),
      runs,
    );
  });
});
