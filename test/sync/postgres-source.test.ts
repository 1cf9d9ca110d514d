/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, expect.stringContaining) are typed any. */
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { sourceCreateSchema, type SourceCreate } from '../../src/contract/sources';
import { customers, syncRuns } from '../../src/db/schema';
import {
  customerSyncSources,
  findSource,
  insertSource,
  listRuns,
  runSourceSync,
  SourceSyncFailed,
} from '../../src/sync';
import { eraseCustomerRows, openErasure } from '../../src/privacy/erase-customer-rows';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';
import {
  createEmptyDatabase,
  createTestDatabase,
  type TestDatabase,
} from '../support/test-database';

/**
 * A sync against a SECOND real Postgres database the test creates (the "CRM" and the "shop"):
 * incremental runs read only what changed since the cursor, two sources disagreeing on a field
 * are settled by priority, and a failing source is recorded as a failed run that moves no cursor
 * and blanks no field — the next run resumes from the cursor and catches up.
 */

let cairn: TestDatabase;
let external: { url: string; drop(): Promise<void> };
let source: postgres.Sql;
const env: Record<string, string> = {};

beforeAll(async () => {
  [cairn, external] = await Promise.all([createTestDatabase(), createEmptyDatabase()]);
  source = postgres(external.url, { max: 2, onnotice: () => undefined });
  env.CRM_DATABASE_URL = external.url;
  env.SHOP_DATABASE_URL = external.url;
  await source`create table crm_contacts (
    contact_id text primary key, email text, phone text, plan text, modified timestamptz not null)`;
  await source`create table shop_buyers (
    buyer text primary key, mail text, phone text, last_order timestamptz not null)`;
});
afterAll(async () => {
  await source?.end();
  await external?.drop();
  await cairn?.close();
});

function config(overrides: Partial<SourceCreate> & Pick<SourceCreate, 'id'>) {
  return sourceCreateSchema.parse({
    name: 'CRM',
    priority: 10,
    interval: '1h',
    pageSize: 2,
    connector: {
      kind: 'postgres',
      connection: { env: 'CRM_DATABASE_URL' },
      query:
        'select contact_id, email, phone, plan, modified from crm_contacts where modified > $cursor',
    },
    cursor: { field: 'modified', type: 'time' },
    mapping: {
      contact_id: 'id',
      email: 'email',
      phone: 'phone',
      plan: 'attributes.plan',
      modified: 'updatedAt',
    },
    ...overrides,
  });
}

const deps = () => ({
  db: cairn.db,
  env,
  clock: () => new Date(),
  identifierKey: TEST_IDENTIFIER_KEY,
  emailMarketingDefault: 'opted_in' as const,
});
const run = (sourceId: string) => runSourceSync(deps(), { sourceId, workflowId: null, attempt: 1 });

async function customer(id: string) {
  const [row] = await cairn.db.select().from(customers).where(eq(customers.id, id));
  return row;
}

async function lastRun(sourceId: string) {
  return (await listRuns(cairn.db, sourceId, 1))[0]!;
}

describe('a Postgres source', () => {
  beforeAll(async () => {
    await insertSource(cairn.db, config({ id: 'crm' }));
  });

  it('runs incrementally: each run reads only what changed since its cursor', async () => {
    await source`insert into crm_contacts values
      ('c1', 'ada@example.com', '+4915112345678', 'pro', '2026-11-01T10:00:00.000001Z'),
      ('c2', 'bob@example.com', null, 'free', '2026-11-01T11:00:00Z'),
      ('c3', 'cy@example.com', null, null, '2026-11-01T11:00:00Z'),
      ('c4', 'not-an-email', null, 'free', '2026-11-01T12:00:00Z')`;

    const first = await run('crm');
    expect(first).toMatchObject({
      status: 'succeeded',
      rowsRead: 4,
      rowsWritten: 3,
      rowsRejected: 1,
    });
    const one = await lastRun('crm');
    expect(one).toMatchObject({
      status: 'succeeded',
      rowsRead: 4,
      rowsWritten: 3,
      rowsRejected: 1,
      cursorBefore: null,
      cursorAfter: '2026-11-01T12:00:00+00:00',
      issues: [{ key: 'c4', field: 'email', message: 'must be an email address' }],
    });
    // Two rows share 11:00 across the page of 2: neither is lost.
    expect(one.pages).toBeGreaterThanOrEqual(2);
    expect(one.lagMs).toBeGreaterThan(0);
    expect(JSON.stringify(one)).not.toContain('not-an-email');
    expect(await customer('c1')).toMatchObject({
      email: 'ada@example.com',
      phone: '+4915112345678',
      attributes: { plan: 'pro' },
    });
    expect(await customer('c3')).toMatchObject({ email: 'cy@example.com', attributes: {} });
    expect(await customer('c4')).toBeUndefined();

    await source`update crm_contacts set plan = 'team', modified = '2026-11-02T09:00:00Z' where contact_id = 'c2'`;
    await source`insert into crm_contacts values ('c5', 'dee@example.com', null, null, '2026-11-02T10:00:00Z')`;
    const second = await run('crm');
    expect(second).toMatchObject({ rowsRead: 2, rowsWritten: 2, rowsRejected: 0 });
    expect(await lastRun('crm')).toMatchObject({
      cursorBefore: '2026-11-01T12:00:00+00:00',
      cursorAfter: '2026-11-02T10:00:00+00:00',
    });
    expect((await customer('c2'))?.attributes).toEqual({ plan: 'team' });

    // A blanked column in the source never clears the profile: the row is read, nothing changes.
    await source`update crm_contacts set phone = null, email = '', modified = '2026-11-03T08:00:00Z' where contact_id = 'c1'`;
    const third = await run('crm');
    expect(third).toMatchObject({ rowsRead: 1, rowsWritten: 0 });
    expect(await lastRun('crm')).toMatchObject({
      rowsUnchanged: 1,
      cursorAfter: '2026-11-03T08:00:00+00:00',
    });
    expect(await customer('c1')).toMatchObject({
      email: 'ada@example.com',
      phone: '+4915112345678',
    });
    expect(await customerSyncSources(cairn.db, 'c1')).toEqual([
      {
        sourceId: 'crm',
        fields: ['attributes.plan', 'email', 'phone'],
        lastSyncedAt: expect.any(String),
      },
    ]);
  });

  it('records a failing source as a failed run: the cursor stays, no field is blanked, the next run resumes', async () => {
    const before = await findSource(cairn.db, 'crm');
    const profile = await customer('c2');
    await source`alter table crm_contacts rename to crm_contacts_moved`;
    await source`insert into crm_contacts_moved values ('c6', 'eve@example.com', null, 'pro', '2026-11-04T08:00:00Z')`;

    const failed = await run('crm').catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(SourceSyncFailed);
    const recorded = await lastRun('crm');
    expect(recorded).toMatchObject({
      status: 'failed',
      rowsRead: 0,
      cursorBefore: before!.cursor,
      cursorAfter: before!.cursor,
      error: expect.stringContaining('relation "crm_contacts" does not exist'),
    });
    expect(recorded.finishedAt).not.toBeNull();
    expect((await findSource(cairn.db, 'crm'))?.cursor).toBe(before!.cursor);
    expect(await customer('c2')).toEqual(profile);

    // The database unreachable: failed, visibly, naming no secret.
    env.CRM_DATABASE_URL = 'postgres://postgres:s3cret@127.0.0.1:1/nowhere';
    await expect(run('crm')).rejects.toBeInstanceOf(SourceSyncFailed);
    const refused = await lastRun('crm');
    expect(refused).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('ECONNREFUSED'),
    });
    expect(refused.error).not.toContain('s3cret');
    env.CRM_DATABASE_URL = external.url;

    await source`alter table crm_contacts_moved rename to crm_contacts`;
    expect(await run('crm')).toMatchObject({ status: 'succeeded', rowsRead: 1, rowsWritten: 1 });
    expect(await lastRun('crm')).toMatchObject({
      cursorBefore: before!.cursor,
      cursorAfter: '2026-11-04T08:00:00+00:00',
    });
    expect(await customer('c6')).toMatchObject({ email: 'eve@example.com' });
    const statuses = await cairn.db
      .select({ status: syncRuns.status })
      .from(syncRuns)
      .where(eq(syncRuns.sourceId, 'crm'));
    expect(statuses.map((s) => s.status).sort()).toEqual([
      'failed',
      'failed',
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
  });
});

describe('two sources on one field', () => {
  const shop = () =>
    config({
      id: 'shop',
      name: 'Shop',
      priority: 1,
      connector: {
        kind: 'postgres',
        connection: { env: 'SHOP_DATABASE_URL' },
        query: 'select buyer, mail, phone, last_order from shop_buyers where last_order > $cursor',
      },
      cursor: { field: 'last_order', type: 'time' },
      mapping: { buyer: 'id', mail: 'email', phone: 'phone', last_order: 'updatedAt' },
    });

  it('settles by source priority: the lower one fills blanks but never overwrites the higher', async () => {
    await insertSource(cairn.db, shop());
    // The shop's rows are newer than the CRM's: priority, not time, decides.
    await source`insert into shop_buyers values
      ('c2', 'bob@shop.example', '+4915199999999', '2026-12-01T00:00:00Z'),
      ('s1', 'sam@shop.example', null, '2026-12-01T00:00:00Z')`;
    expect(await run('shop')).toMatchObject({ status: 'succeeded', rowsRead: 2, rowsWritten: 2 });
    expect(await customer('c2')).toMatchObject({
      email: 'bob@example.com',
      phone: '+4915199999999',
    });
    expect(await customerSyncSources(cairn.db, 'c2')).toEqual([
      { sourceId: 'crm', fields: ['attributes.plan', 'email'], lastSyncedAt: expect.any(String) },
      { sourceId: 'shop', fields: ['phone'], lastSyncedAt: expect.any(String) },
    ]);

    // The CRM, higher, overwrites what the shop set first — even with an older row.
    await source`insert into crm_contacts values ('s1', 'sam@crm.example', null, null, '2026-11-05T00:00:00Z')`;
    expect(await run('crm')).toMatchObject({ rowsRead: 1, rowsWritten: 1 });
    expect(await customer('s1')).toMatchObject({ email: 'sam@crm.example' });

    // And the shop's next change of that email is refused again.
    await source`update shop_buyers set mail = 'sam2@shop.example', last_order = '2026-12-02T00:00:00Z' where buyer = 's1'`;
    expect(await run('shop')).toMatchObject({ rowsRead: 1, rowsWritten: 0 });
    expect(await customer('s1')).toMatchObject({ email: 'sam@crm.example' });
  });
});

describe('an erased customer', () => {
  it('loses its provenance with the profile, and no later sync brings it back', async () => {
    await openErasure(cairn.db, TEST_IDENTIFIER_KEY, 'c3');
    expect(await eraseCustomerRows(cairn.db, TEST_IDENTIFIER_KEY, 'c3')).toMatchObject({
      done: true,
      erasedRows: { customer_field_sources: 1, customers: 1 },
    });
    expect(await customerSyncSources(cairn.db, 'c3')).toEqual([]);

    await source`update crm_contacts set plan = 'pro', modified = '2026-11-06T00:00:00Z' where contact_id = 'c3'`;
    expect(await run('crm')).toMatchObject({ rowsRead: 1, rowsWritten: 0, rowsRejected: 1 });
    expect((await lastRun('crm')).issues).toEqual([
      { key: 'c3', field: 'id', message: expect.any(String) },
    ]);
    expect(await customer('c3')).toBeUndefined();
  });
});
