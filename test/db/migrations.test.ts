import { customers } from '../../src/db/schema';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { createTestDatabase } from '../support/test-database';

async function roundTrip(handle: DatabaseHandle): Promise<void> {
  await handle.db.insert(customers).values({ id: 'c1', email: 'a@example.com' });
  const rows = await handle.db.select().from(customers);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ id: 'c1', attributes: {}, consent: {} });
}

describe('the drizzle migrations', () => {
  it('create the schema on Postgres', async () => {
    const handle = await createTestDatabase();
    try {
      await roundTrip(handle);
    } finally {
      await handle.close();
    }
  });

  it('create the same schema on embedded PGlite', async () => {
    const handle = await openDatabase({});
    try {
      await roundTrip(handle);
    } finally {
      await handle.close();
    }
  });
});
