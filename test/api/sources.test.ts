/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON; the assertions check the shape. */
import { count } from 'drizzle-orm';
import { syncSources } from '../../src/db/schema';
import { auth, createHarness, type Harness } from './harness';

/**
 * /v1/sources before it reaches Temporal, and with Temporal away: a bad body is a 400 naming
 * each field, an unknown source a 404, and a source whose schedule cannot be made is not stored
 * (503). The schedule itself is exercised on the dev server in
 * test/integration/source-schedule.test.ts.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
});
afterAll(async () => h.close());

const validSource = {
  id: 'crm',
  name: 'CRM',
  priority: 10,
  interval: '1h',
  connector: {
    kind: 'postgres',
    connection: { env: 'CRM_DATABASE_URL' },
    query: 'select * from contacts where updated_at > $cursor',
  },
  cursor: { field: 'updated_at', type: 'time' },
  mapping: { id: 'id', email: 'email', plan: 'attributes.plan' },
};

const post = (payload: unknown) =>
  h.inject({ method: 'POST', url: '/v1/sources', headers: auth, payload: JSON.stringify(payload) });
const stored = async () => (await h.db.db.select({ n: count() }).from(syncSources))[0]?.n;

it('refuses a bad source naming each field', async () => {
  const cases: [unknown, string[]][] = [
    [
      { ...validSource, connector: { ...validSource.connector, query: 'select * from contacts' } },
      ['connector.query'],
    ],
    [
      {
        ...validSource,
        connector: { ...validSource.connector, connection: 'postgres://u:p@db/crm' },
      },
      ['connector.connection'],
    ],
    [
      {
        ...validSource,
        connector: { ...validSource.connector, connection: { env: 'lower-case' } },
      },
      ['connector.connection.env'],
    ],
    [{ ...validSource, mapping: { email: 'email' } }, ['mapping']],
    [{ ...validSource, mapping: { id: 'id', consent: 'consent.email' } }, ['mapping.consent']],
    [{ ...validSource, interval: '1s' }, ['interval']],
    [{ ...validSource, conflicts: { default: 'newest' } }, ['conflicts.default']],
    [{ ...validSource, id: 'Bad Id' }, ['id']],
    [{ ...validSource, cursor: { field: 'meta.updated', type: 'time' } }, ['cursor.field']],
    [
      {
        ...validSource,
        connector: { kind: 'http', url: 'ftp://x', cursorParam: 'since', rowsPath: '' },
      },
      ['connector.url'],
    ],
  ];
  for (const [payload, paths] of cases) {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues.map((i: { path: string }) => i.path)).toEqual(paths);
  }
  expect(await stored()).toBe(0);
});

it('stores nothing when the schedule cannot be made (Temporal away: 503)', async () => {
  const res = await post(validSource);
  expect(res.statusCode).toBe(503);
  expect(res.json().error.code).toBe('temporal_unavailable');
  expect(await stored()).toBe(0);
});

it('answers 404 for a source that does not exist, and needs an API key', async () => {
  for (const [method, url] of [
    ['GET', '/v1/sources/nope'],
    ['GET', '/v1/sources/nope/runs'],
    ['POST', '/v1/sources/nope/runs'],
  ] as const) {
    const res = await h.inject({ method, url, headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'source_not_found', issues: [{ path: 'id' }] });
  }
  const update: Record<string, unknown> = { ...validSource };
  delete update.id;
  const put = await h.inject({
    method: 'PUT',
    url: '/v1/sources/nope',
    headers: auth,
    payload: JSON.stringify(update),
  });
  expect(put.statusCode).toBe(404);
  expect((await h.inject({ method: 'GET', url: '/v1/sources' })).statusCode).toBe(401);
  expect((await h.inject({ method: 'GET', url: '/v1/sources', headers: auth })).json()).toEqual({
    sources: [],
  });
});
