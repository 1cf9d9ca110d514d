import { and, eq, ne } from 'drizzle-orm';
import {
  DEFAULT_MERGE_RULES,
  ErasedCustomerError,
  identifiersOf,
  mergeCustomers,
  NoIdentifierError,
  resolveCustomer,
  survivorOf,
  unmergeCustomers,
} from '../../src/identity';
import { existingCustomerIds, upsertCustomer } from '../../src/customers';
import { openTombstone } from '../../src/privacy/tombstones';
import { customerMerges, customers, events } from '../../src/db/schema';
import { recordEvents } from '../../src/routing';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const rules = DEFAULT_MERGE_RULES;

describe('resolveCustomer on Postgres', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.close();
  });

  const resolve = (ids: Parameters<typeof resolveCustomer>[1]) =>
    resolveCustomer(database.db, ids, { rules, source: 'website' });

  const eventsOf = async (customerId: string) =>
    (
      await database.db
        .select({ id: events.id })
        .from(events)
        .where(and(eq(events.customerId, customerId), ne(events.type, 'customer_merged')))
    )
      .map((row) => row.id)
      .sort();

  it('creates one customer for concurrent first events of a visitor, with a derived id', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () => resolve({ anonymousId: 'visitor-1' })),
    );
    expect(new Set(results.map((r) => r.customerId))).toEqual(new Set(['anon:visitor-1']));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const ids = await identifiersOf(database.db, 'anon:visitor-1');
    expect(ids.map((row) => [row.type, row.value, row.source])).toEqual([
      ['anonymousId', 'visitor-1', 'website'],
    ]);
  });

  it('creates one customer for concurrent first sightings of an email, under an id without it', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        resolve({ email: i % 2 ? 'Lin@Example.com' : ' lin@example.com' }),
      ),
    );
    const ids = new Set(results.map((r) => r.customerId));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(id).toMatch(/^cus_[0-9a-f-]{36}$/);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('merges the anonymous customer into the userId one on identify, with every event', async () => {
    await resolve({ anonymousId: 'visitor-2' });
    await recordEvents(
      database.db,
      [
        { id: 'v2-view-1', customerId: 'anon:visitor-2', type: 'product_viewed' },
        { id: 'v2-view-2', customerId: 'anon:visitor-2', type: 'product_viewed' },
      ],
      { source: 'website' },
    );
    const identified = await resolve({ userId: 'user-2', anonymousId: 'visitor-2' });
    expect(identified).toMatchObject({ customerId: 'user-2', created: true });
    expect(identified.merges.map((merge) => ({ ...merge, mergeId: 'id' }))).toEqual([
      {
        status: 'merged',
        mergeId: 'id',
        from: 'anon:visitor-2',
        into: 'user-2',
        reason: 'shared:anonymousId',
      },
    ]);
    expect(await eventsOf('user-2')).toEqual(['v2-view-1', 'v2-view-2']);
    expect(await eventsOf('anon:visitor-2')).toEqual([]);
    expect(await survivorOf(database.db, ['anon:visitor-2', 'user-2'])).toEqual(
      new Map([['anon:visitor-2', 'user-2']]),
    );
    const keys = (await identifiersOf(database.db, 'user-2')).map((r) => `${r.type}:${r.value}`);
    expect(keys.sort()).toEqual(['anonymousId:visitor-2', 'userId:user-2']);

    // Later events for the anonymous id land on the survivor; a later track resolves to it.
    await recordEvents(
      database.db,
      [{ id: 'v2-view-3', customerId: 'anon:visitor-2', type: 'product_viewed' }],
      { source: 'website' },
    );
    expect(await eventsOf('user-2')).toEqual(['v2-view-1', 'v2-view-2', 'v2-view-3']);
    await expect(resolve({ anonymousId: 'visitor-2' })).resolves.toMatchObject({
      customerId: 'user-2',
      created: false,
      merges: [],
    });
  });

  it('never resolves placeholder values, and refuses when nothing else is left', async () => {
    await expect(resolve({ userId: 'null', anonymousId: '0000' })).rejects.toThrow(
      NoIdentifierError,
    );
    const result = await resolve({ userId: 'user-3', anonymousId: 'anonymous' });
    expect(result).toMatchObject({
      customerId: 'user-3',
      ignored: [{ type: 'anonymousId', reason: 'never_merge_value' }],
    });
    const placeholder = await database.db
      .select()
      .from(customers)
      .where(eq(customers.id, 'anon:anonymous'));
    expect(placeholder).toEqual([]);
  });

  it('keeps two signed-up people who share an email apart (one userId per customer)', async () => {
    await resolve({ userId: 'user-4', email: 'shared@example.com' });
    const second = await resolve({ userId: 'user-5', email: 'shared@example.com' });
    expect(second.customerId).toBe('user-5');
    expect(second.merges).toEqual([
      { status: 'refused', from: 'user-4', into: 'user-5', reason: 'limit:userId' },
    ]);
    // Repeated, the refusal is recorded once.
    await resolve({ userId: 'user-5', email: 'shared@example.com' });
    const refusals = await database.db
      .select()
      .from(customerMerges)
      .where(eq(customerMerges.fromCustomerId, 'user-4'));
    expect(refusals.map((r) => [r.status, r.reason])).toEqual([['refused', 'limit:userId']]);
    const user4 = (await identifiersOf(database.db, 'user-4')).map((r) => r.type);
    expect(user4.sort()).toEqual(['email', 'userId']);
  });

  it('does not merge on a phone by default, and stops at the anonymousId limit', async () => {
    await resolve({ userId: 'user-6', phone: '+1 415 555 0106' });
    const byPhone = await resolve({ userId: 'user-7', phone: '+14155550106' });
    expect(byPhone.merges).toEqual([
      { status: 'refused', from: 'user-6', into: 'user-7', reason: 'not_merged_on:phone' },
    ]);

    for (let i = 0; i < 5; i += 1) await resolve({ userId: 'user-8', anonymousId: `dev-8-${i}` });
    await resolve({ anonymousId: 'dev-8-5' });
    const over = await resolve({ userId: 'user-8', anonymousId: 'dev-8-5' });
    expect(over.merges).toEqual([
      {
        status: 'refused',
        from: 'anon:dev-8-5',
        into: 'user-8',
        reason: 'limit:anonymousId',
      },
    ]);
    const fresh = await resolve({ userId: 'user-8', anonymousId: 'dev-8-6' });
    expect(fresh.skipped).toEqual([{ type: 'anonymousId', reason: 'limit:anonymousId' }]);
  });

  it('finds a profile by its email when no identifier names it yet', async () => {
    await upsertCustomer(database.db, 'crm-9', { email: 'Nine@Example.com' });
    const result = await resolve({ anonymousId: 'visitor-9', email: 'nine@example.com' });
    expect(result).toMatchObject({ customerId: 'crm-9', created: false, merges: [] });
    const keys = (await identifiersOf(database.db, 'crm-9')).map((r) => r.type);
    expect(keys.sort()).toEqual(['anonymousId', 'email']);
  });

  it('does not bring an erased customer back', async () => {
    await openTombstone(database.db, 'user-erased');
    await expect(resolve({ userId: 'user-erased', anonymousId: 'visitor-e' })).rejects.toThrow(
      ErasedCustomerError,
    );
    expect(await existingCustomerIds(database.db, ['user-erased', 'anon:visitor-e'])).toEqual(
      new Set(),
    );
  });

  it('keeps redirects flat through a chain of merges, and unwinds them', async () => {
    for (const id of ['chain-a', 'chain-b', 'chain-c']) await upsertCustomer(database.db, id, {});
    const first = await mergeCustomers(database.db, {
      from: 'chain-a',
      into: 'chain-b',
      reason: 'manual',
      causedBy: 'test',
    });
    const second = await mergeCustomers(database.db, {
      from: 'chain-b',
      into: 'chain-c',
      reason: 'manual',
      causedBy: 'test',
    });
    expect(await survivorOf(database.db, ['chain-a', 'chain-b'])).toEqual(
      new Map([
        ['chain-a', 'chain-c'],
        ['chain-b', 'chain-c'],
      ]),
    );
    await expect(unmergeCustomers(database.db, first.mergeId)).rejects.toMatchObject({
      code: 'survivor_merged',
    });
    await unmergeCustomers(database.db, second.mergeId);
    expect(await survivorOf(database.db, ['chain-a', 'chain-b'])).toEqual(
      new Map([['chain-a', 'chain-b']]),
    );
    await unmergeCustomers(database.db, first.mergeId);
    expect(await survivorOf(database.db, ['chain-a', 'chain-b'])).toEqual(new Map());
  });
});
