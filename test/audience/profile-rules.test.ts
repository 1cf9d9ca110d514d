import { eq, sql } from 'drizzle-orm';
import { audienceUpkeep } from '../../src/audience/audience-upkeep';
import { installBuiltInSegments } from '../../src/audience/install-built-ins';
import { profileRules } from '../../src/audience/profile-rules';
import { upsertCustomer } from '../../src/customers';
import { customers, segmentMemberships } from '../../src/db/schema';
import { storeAudienceBatch, type BatchItem } from '../support/audience-batch';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The declared profile rules in the router's audience pass, on real Postgres: a purchase adds to
 * lifetime_value once, however often its event is sent again or its batch is handed in again,
 * and the segments that read the profile (high_value_customer) follow the new value.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await installBuiltInSegments(database.db);
});
afterAll(async () => database?.close());

const upkeep = () => audienceUpkeep({ db: database.db, emailMarketingDefault: 'opted_in' });

const store = (items: BatchItem[]) => storeAudienceBatch(database.db, items);

async function attributes(id: string) {
  const [row] = await database.db
    .select({ attributes: customers.attributes })
    .from(customers)
    .where(eq(customers.id, id));
  return row?.attributes;
}

async function isMember(segmentId: string, customerId: string) {
  const rows = await database.db
    .select()
    .from(segmentMemberships)
    .where(
      sql`${segmentMemberships.segmentId} = ${segmentId} and ${segmentMemberships.customerId} = ${customerId} and ${segmentMemberships.exitedAt} is null`,
    );
  return rows.length === 1;
}

it('a replayed purchase and a re-delivered batch change lifetime_value once', async () => {
  await upsertCustomer(database.db, 'ada', { attributes: { lifetime_value: 900 } });
  const audience = upkeep();
  const batch = await store([
    { id: 'ada-order-1', customerId: 'ada', type: 'purchase', properties: { total: 80 } },
    { id: 'ada-login', customerId: 'ada', type: 'login', at: '2026-01-01T09:00:00.000Z' },
  ]);
  expect(await audience.forEvents(batch)).toBeGreaterThan(0);
  expect(await attributes('ada')).toMatchObject({
    lifetime_value: 980,
    orders_count: 1,
    last_login: '2026-01-01T09:00:00.000Z',
  });

  // The same batch handed in again (a pass that failed after its audience part), and the same
  // event sent again by the backend: nothing counts twice.
  expect(await audience.forEvents(batch)).toBe(0);
  const replayed = await store([
    { id: 'ada-order-1', customerId: 'ada', type: 'purchase', properties: { total: 80 } },
  ]);
  expect(await audience.forEvents(replayed)).toBe(0);
  expect(await upkeep().forEvents(batch)).toBe(0);
  expect(await attributes('ada')).toMatchObject({ lifetime_value: 980, orders_count: 1 });

  // A new purchase counts, and the profile-reading segment follows at the next pass.
  expect(await isMember('high_value_customer', 'ada')).toBe(false);
  const next = await store([
    { id: 'ada-order-2', customerId: 'ada', type: 'purchase', properties: { total: '20.5' } },
  ]);
  await audience.forEvents(next);
  expect(await attributes('ada')).toMatchObject({ lifetime_value: 1000.5, orders_count: 2 });
  expect(await audience.upkeep()).toBeGreaterThan(0);
  expect(await isMember('high_value_customer', 'ada')).toBe(true);
});

it('two passes handed the same purchase at once count it once', async () => {
  await upsertCustomer(database.db, 'bo', {});
  const batch = await store([
    { id: 'bo-order', customerId: 'bo', type: 'purchase', properties: { total: 12 } },
  ]);
  // The rules part alone: its count is the customers whose attributes it changed.
  const rules = () => profileRules({ db: database.db });
  const results = await Promise.all([rules().forEvents(batch), rules().forEvents(batch)]);
  expect(results.sort()).toEqual([0, 1]);
  expect(await attributes('bo')).toMatchObject({ lifetime_value: 12, orders_count: 1 });
});
