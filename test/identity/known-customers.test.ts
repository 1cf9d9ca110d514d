import { upsertCustomer } from '../../src/customers';
import { DEFAULT_MERGE_RULES, knownCustomers, resolveCustomer } from '../../src/identity';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * knownCustomers answers, in bulk, only what resolveCustomer would answer without merging or
 * creating anything; every other set is left to resolveCustomer (null).
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await upsertCustomer(database.db, 'ada', {});
  await upsertCustomer(database.db, 'bo', {});
  // A visitor who signed up as cleo, and one still anonymous.
  await resolveCustomer(database.db, { anonymousId: 'v-1' }, { rules: DEFAULT_MERGE_RULES });
  await resolveCustomer(
    database.db,
    { userId: 'cleo', anonymousId: 'v-1' },
    { rules: DEFAULT_MERGE_RULES },
  );
  await resolveCustomer(database.db, { anonymousId: 'v-2' }, { rules: DEFAULT_MERGE_RULES });
});
afterAll(async () => database?.close());

it('knows customers whose identifiers all point at them, followed to their survivor', async () => {
  expect(
    await knownCustomers(
      database.db,
      [
        { userId: 'ada' },
        { anonymousId: 'v-1' },
        { userId: 'cleo', anonymousId: 'v-1' },
        { anonymousId: 'v-2' },
      ],
      DEFAULT_MERGE_RULES,
    ),
  ).toEqual(['ada', 'cleo', 'cleo', 'anon:v-2']);
});

it('leaves to resolution what would create, merge, or look at an address', async () => {
  expect(
    await knownCustomers(
      database.db,
      [
        { userId: 'new-person' },
        { userId: 'bo', anonymousId: 'v-2' },
        { userId: 'ada', email: 'ada@example.com' },
        { userId: 'null' },
        {},
      ],
      DEFAULT_MERGE_RULES,
    ),
  ).toEqual([null, null, null, null, null]);
});
