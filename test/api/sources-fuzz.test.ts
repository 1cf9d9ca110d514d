/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { syncSources } from '../../src/db/schema';
import { sourceScheduleId } from '../../src/sync';
import { auth, createHarness, type Harness } from './harness';

/**
 * Source configurations come from outside: whatever POST and PUT /v1/sources get, the answer is
 * a 2xx, or a 4xx whose issues name fields and which stored nothing — never a 5xx. With a live
 * Temporal, so a body that passes also makes its schedule.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live' });
});
afterAll(async () => {
  for (const row of await h.db.db.select({ id: syncSources.id }).from(syncSources)) {
    await h.temporal.schedule
      .getHandle(sourceScheduleId(row.id, h.taskQueue))
      .delete()
      .catch(() => undefined);
  }
  await h.close();
});

const base = {
  name: 'CRM',
  priority: 10,
  interval: '1h',
  connector: {
    kind: 'postgres',
    connection: { env: 'CRM_DATABASE_URL' },
    query: 'select * from contacts where updated_at > $cursor',
  },
  cursor: { field: 'updated_at', type: 'time' },
  mapping: { id: 'id', email: 'email' },
};

const anything = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '',
    '$cursor',
    '1h',
    '0s',
    'id',
    'attributes.',
    'attributes.x',
    '__proto__',
    'PATH',
  ),
);
const connector = fc.oneof(
  fc.constant(base.connector),
  fc.record(
    {
      kind: fc.constantFrom('postgres', 'http', 'mysql'),
      connection: fc.oneof(
        fc.record({ env: fc.oneof(fc.constantFrom('DB_URL', 'a b'), anything) }),
        anything,
      ),
      query: fc.oneof(fc.constantFrom('select 1 where x > $cursor', 'select $1'), anything),
      url: fc.oneof(fc.constantFrom('http://127.0.0.1:1/x', 'javascript:alert(1)'), anything),
      cursorParam: fc.oneof(fc.constant('since'), anything),
      rowsPath: fc.oneof(fc.constantFrom('', 'data.rows', '..'), anything),
    },
    { requiredKeys: ['kind'] },
  ),
);
const mapping = fc.oneof(
  fc.constant(base.mapping),
  fc.dictionary(
    fc.oneof(fc.constantFrom('id', 'a.b', 'x'), fc.string({ maxLength: 8 })),
    anything,
    { maxKeys: 4 },
  ),
);
const body = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/), anything),
    name: fc.oneof(fc.constant(base.name), anything),
    enabled: fc.oneof(fc.boolean(), anything),
    priority: fc.oneof(fc.integer(), fc.double(), anything),
    interval: fc.oneof(fc.constantFrom('1h', '10s', '9s', '31d', '99999999d'), anything),
    pageSize: fc.oneof(fc.integer({ min: -5, max: 20_000 }), anything),
    connector,
    cursor: fc.oneof(
      fc.constant(base.cursor),
      fc.record({ field: anything, type: anything, initial: anything }),
    ),
    mapping,
    conflicts: fc.oneof(fc.record({ default: anything, fields: anything }), anything),
    extra: anything,
  },
  { requiredKeys: [] },
);

const stored = async () => (await h.db.db.select({ n: count() }).from(syncSources))[0]?.n ?? 0;

async function expectSafe(method: 'POST' | 'PUT', url: string, payload: unknown) {
  const before = await stored();
  const res = await h.inject({ method, url, headers: auth, payload: JSON.stringify(payload) });
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const error = res.json().error;
    expect(error.code).toEqual(expect.any(String));
    for (const issue of error.issues ?? []) expect(issue.path).toEqual(expect.any(String));
    expect(await stored()).toBe(before);
  }
  return res.statusCode;
}

it('answers any POST /v1/sources body with a 2xx or a 4xx naming fields, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(body, async (payload) => {
      await expectSafe('POST', '/v1/sources', payload);
    }),
    { numRuns: 150 },
  );
  // The base with any one field fuzzed: mostly a 400 on that field, or a source stored.
  const seen = new Set<number>();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...Object.keys(base)), anything, async (key, value) => {
      const status = await expectSafe('POST', '/v1/sources', {
        ...base,
        id: 'one-field',
        [key]: value,
      });
      expect([201, 400, 409]).toContain(status);
      seen.add(status);
    }),
    { numRuns: 100 },
  );
  expect(seen).toContain(201);
  expect(seen).toContain(400);
});

it('answers any PUT /v1/sources/{id} body likewise', async () => {
  expect(await expectSafe('POST', '/v1/sources', { ...base, id: 'put-target' })).toBe(201);
  await fc.assert(
    fc.asyncProperty(body, fc.constantFrom('put-target', 'missing', 'Bad'), async (payload, id) => {
      const update: Record<string, unknown> = { ...payload };
      delete update.id;
      await expectSafe('PUT', `/v1/sources/${id}`, update);
    }),
    { numRuns: 100 },
  );
});
