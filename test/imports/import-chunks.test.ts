/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, expect.stringMatching) are typed any. */
import { asc, eq } from 'drizzle-orm';
import { inputIssues } from '../../src/api/input-limits';
import { upsertCustomer } from '../../src/customers';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { customers, events } from '../../src/db/schema';
import { importCustomers, importEvents } from '../../src/imports';
import { createTestDatabase } from '../support/test-database';

/**
 * The import in chunks, each stored in a transaction of its own (COPY on Postgres, inserts on
 * embedded PGlite): the same rows and refusals whatever the chunk size, a customer repeated in a
 * later chunk merged in file order, and the same file again storing nothing new.
 */

const lines = (rows: object[]) => [rows.map((row) => JSON.stringify(row)).join('\n')];

const eventFile = lines([
  { id: 'x-1', customerId: 'ada', type: 'purchase', properties: { total: 1, note: 'tab\there' } },
  { id: 'x-2', customerId: 'ghost', type: 'purchase' },
  { id: 'x-3', customerId: 'bo', type: 'login', properties: { path: 'C:\\new\\line\n' } },
  { id: 'x-1', customerId: 'bo', type: 'login' },
  {
    id: 'x-4',
    customerId: 'ada',
    type: 'page_view',
    deliveryId: '00000000-0000-4000-8000-000000000000',
  },
  { id: 'x-5', customerId: 'ghost', type: 'login' },
  { id: 'x-6', customerId: 'bo', type: 'page_view' },
]);

const options = (chunkRows: number) => ({
  format: 'ndjson' as const,
  trigger: false,
  source: 'import',
  rules: { limits: inputIssues, maxEventBytes: 10_000 },
  now: new Date('2026-06-01T00:00:00Z'),
  chunkRows,
});

describe.each([
  ['Postgres (COPY)', () => createTestDatabase()],
  ['embedded PGlite (inserts)', () => openDatabase({})],
])('on %s', (_name, open) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await open();
    for (const id of ['ada', 'bo']) await upsertCustomer(handle.db, id, {});
  });
  afterAll(async () => handle?.close());

  it.each([1, 2, 50])('stores the same events in chunks of %i rows', async (chunkRows) => {
    await handle.db.delete(events);
    const outcome = await importEvents(handle.db, eventFile, options(chunkRows));
    expect(outcome).toEqual({
      rows: 7,
      imported: 3,
      duplicates: 1,
      rejected: 3,
      rejectedRows: [
        { line: 2, path: 'customerId', message: expect.stringMatching(/no customer/) },
        { line: 5, path: 'deliveryId', message: expect.stringMatching(/no delivery/) },
        { line: 6, path: 'customerId', message: expect.stringMatching(/no customer/) },
      ],
    });
    const stored = await handle.db.select().from(events).orderBy(asc(events.id));
    expect(stored.map((e) => [e.id, e.customerId, e.properties])).toEqual([
      ['x-1', 'ada', { total: 1, note: 'tab\there' }],
      ['x-3', 'bo', { path: 'C:\\new\\line\n' }],
      ['x-6', 'bo', {}],
    ]);
    const again = await importEvents(handle.db, eventFile, options(chunkRows));
    expect(again).toMatchObject({ imported: 0, duplicates: 4, rejected: 3 });
  });

  it('merges a customer repeated in the file in file order, across chunks', async () => {
    const file = lines([
      { id: 'cy', attributes: { a: 1, b: 1 } },
      { id: 'dee', email: 'dee@example.com' },
      { id: 'cy', attributes: { b: null, c: 3 }, consent: { email: 'opted_out' } },
      { id: 'cy', attributes: { a: 2 } },
    ]);
    const outcome = await importCustomers(handle.db, file, {
      format: 'ndjson',
      limits: inputIssues,
      now: new Date(),
      emailMarketingDefault: 'opted_in',
      chunkRows: 3,
    });
    expect(outcome).toMatchObject({ rows: 4, created: 2, updated: 2, unchanged: 0, rejected: 0 });
    const [cy] = await handle.db.select().from(customers).where(eq(customers.id, 'cy'));
    expect(cy).toMatchObject({ attributes: { a: 2, c: 3 }, consent: { email: 'opted_out' } });
    expect(cy?.attributes).not.toHaveProperty('b');
  });
});
