import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { existingCustomerIds } from '../../src/customers';
import { customers } from '../../src/db/schema';
import { createTestDatabase } from '../support/test-database';

describe.each([
  ['Postgres', createTestDatabase],
  ['embedded PGlite', () => openDatabase({})],
])('existingCustomerIds on %s', (_name, open: () => Promise<DatabaseHandle>) => {
  let database: DatabaseHandle;

  beforeAll(async () => {
    database = await open();
    await database.db.insert(customers).values([{ id: 'a' }, { id: 'b' }]);
  });

  afterAll(async () => {
    await database?.close();
  });

  it('finds the stored ids among any number given, repeats and all', async () => {
    await expect(existingCustomerIds(database.db, [])).resolves.toEqual(new Set());
    await expect(existingCustomerIds(database.db, ['a'])).resolves.toEqual(new Set(['a']));
    const many = [...Array.from({ length: 600 }, (_, i) => `x${i}`), 'b', 'a', 'b'];
    await expect(existingCustomerIds(database.db, many)).resolves.toEqual(new Set(['a', 'b']));
  });
});
