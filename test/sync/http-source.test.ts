/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.stringContaining) are typed any. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { sourceCreateSchema } from '../../src/contract/sources';
import { customers, syncRuns } from '../../src/db/schema';
import { startRun } from '../../src/sync/sync-runs';
import {
  findSource,
  insertSource,
  listRuns,
  runSourceSync,
  SourceSyncFailed,
} from '../../src/sync';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * An HTTP JSON source against a local server speaking a typical "changes since" API: pages of
 * two rows under data.customers, the next page's cursor in next_cursor, a bearer token read from
 * the worker's environment. A 500 part-way fails the run visibly, keeping the pages stored before
 * it and the cursor after them; bad JSON fails it too; the next run resumes.
 */

interface ShopRow {
  id: string;
  email: string | null;
  tier: string;
  changed: string;
}

const rows: ShopRow[] = [
  { id: 'h1', email: 'h1@example.com', tier: 'gold', changed: '2026-11-01T00:00:01Z' },
  { id: 'h2', email: 'h2@example.com', tier: 'silver', changed: '2026-11-01T00:00:02Z' },
  { id: 'h3', email: 'h3@example.com', tier: 'bronze', changed: '2026-11-01T00:00:03Z' },
  { id: 'h4', email: null, tier: 'gold', changed: '2026-11-01T00:00:04Z' },
  { id: 'h5', email: 'h5@example.com', tier: 'gold', changed: '2026-11-01T00:00:05Z' },
];
const TOKEN = 'shop-token-123';
let failAfter: string | null = null;
let badJson = false;
const requests: string[] = [];

let server: Server;
let cairn: TestDatabase;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://shop.test');
    const since = url.searchParams.get('since') ?? '';
    requests.push(since);
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401).end();
      return;
    }
    if (failAfter !== null && since >= failAfter) {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
      return;
    }
    if (badJson) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [');
      return;
    }
    const newer = rows
      .filter((row) => row.changed > since)
      .sort((a, b) => a.changed.localeCompare(b.changed));
    const page = newer.slice(0, 2);
    const next = newer.length > 2 ? page.at(-1)!.changed : null;
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ data: { customers: page }, next_cursor: next }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cairn = await createTestDatabase();
  await insertSource(
    cairn.db,
    sourceCreateSchema.parse({
      id: 'shop-api',
      name: 'Shop API',
      priority: 5,
      interval: '15m',
      connector: {
        kind: 'http',
        url: `${baseUrl}/customers?key=url-secret`,
        token: { env: 'SHOP_API_TOKEN' },
        cursorParam: 'since',
        rowsPath: 'data.customers',
        nextCursorPath: 'next_cursor',
      },
      cursor: { field: 'changed', type: 'time', initial: '' },
      mapping: { id: 'id', email: 'email', tier: 'attributes.tier', changed: 'updatedAt' },
    }),
  );
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await cairn?.close();
});

const run = () =>
  runSourceSync(
    {
      db: cairn.db,
      env: { SHOP_API_TOKEN: TOKEN },
      clock: () => new Date(),
      identifierKey: TEST_IDENTIFIER_KEY,
      emailMarketingDefault: 'opted_in',
    },
    { sourceId: 'shop-api', workflowId: null, attempt: 1 },
  );
const lastRun = async () => (await listRuns(cairn.db, 'shop-api', 1))[0]!;
const customer = async (id: string) =>
  (await cairn.db.select().from(customers).where(eq(customers.id, id)))[0];

it('fails a run visibly at a 500 part-way, keeping the pages before it, and resumes from the cursor', async () => {
  failAfter = '2026-11-01T00:00:02Z';
  await expect(run()).rejects.toBeInstanceOf(SourceSyncFailed);
  expect(await lastRun()).toMatchObject({
    status: 'failed',
    pages: 1,
    rowsRead: 2,
    rowsWritten: 2,
    cursorBefore: null,
    cursorAfter: '2026-11-01T00:00:02Z',
    error: 'the source answered HTTP 500',
  });
  expect((await findSource(cairn.db, 'shop-api'))?.cursor).toBe('2026-11-01T00:00:02Z');
  expect(await customer('h2')).toMatchObject({
    email: 'h2@example.com',
    attributes: { tier: 'silver' },
  });
  expect(await customer('h3')).toBeUndefined();

  failAfter = null;
  requests.length = 0;
  expect(await run()).toMatchObject({ status: 'succeeded', rowsRead: 3, rowsWritten: 3 });
  // Resumed at the cursor, then paged by next_cursor until it was null.
  expect(requests).toEqual(['2026-11-01T00:00:02Z', '2026-11-01T00:00:04Z']);
  expect(await lastRun()).toMatchObject({ pages: 2, cursorAfter: '2026-11-01T00:00:05Z' });
  expect(await customer('h4')).toMatchObject({ email: null, attributes: { tier: 'gold' } });
});

it('fails on an answer that is not JSON, and a missing token, without moving the cursor or naming secrets', async () => {
  rows.push({ id: 'h6', email: 'h6@example.com', tier: 'gold', changed: '2026-11-01T00:00:06Z' });
  badJson = true;
  await expect(run()).rejects.toBeInstanceOf(SourceSyncFailed);
  expect(await lastRun()).toMatchObject({
    status: 'failed',
    error: 'the source answered something that is not JSON',
    cursorAfter: '2026-11-01T00:00:05Z',
  });
  badJson = false;

  const noToken = await runSourceSync(
    { db: cairn.db, env: {}, clock: () => new Date(), emailMarketingDefault: 'opted_in' },
    { sourceId: 'shop-api', workflowId: null, attempt: 1 },
  ).catch((error: unknown) => error);
  expect(noToken).toBeInstanceOf(SourceSyncFailed);
  const failed = await lastRun();
  expect(failed.error).toBe('environment variable SHOP_API_TOKEN is not set on the worker');
  expect(JSON.stringify(failed)).not.toContain('url-secret');

  expect(await run()).toMatchObject({ status: 'succeeded', rowsRead: 1, rowsWritten: 1 });
  expect(await customer('h6')).toMatchObject({ email: 'h6@example.com' });
});

it('closes a run its worker abandoned as failed when the next one starts', async () => {
  const abandoned = await startRun(
    cairn.db,
    { sourceId: 'shop-api', sourceVersion: 1, workflowId: 'wf-dead', attempt: 1, cursor: null },
    new Date(),
  );
  expect(await run()).toMatchObject({ status: 'succeeded', rowsRead: 0 });
  const [closed] = await cairn.db.select().from(syncRuns).where(eq(syncRuns.id, abandoned));
  expect(closed).toMatchObject({ status: 'failed', error: expect.stringContaining('abandoned') });
  expect(closed?.finishedAt).not.toBeNull();
});
