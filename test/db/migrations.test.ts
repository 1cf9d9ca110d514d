import { customers } from '../../src/db/schema';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { createEmptyDatabase, createTestDatabase } from '../support/test-database';

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

  // docker-compose starts the api and the worker together, and each migrates an empty database
  // first thing: without a lock their CREATE TABLEs collided one start in three.
  it('are applied once when several processes start together on an empty database', async () => {
    for (let start = 0; start < 10; start += 1) {
      const empty = await createEmptyDatabase();
      try {
        const opened = await Promise.allSettled(
          ['api', 'worker', 'second worker'].map(() => openDatabase({ url: empty.url })),
        );
        const failures = opened.flatMap((o): unknown[] =>
          o.status === 'rejected' ? [o.reason] : [],
        );
        await Promise.all(
          opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value.close()] : [])),
        );
        expect(failures).toEqual([]);
        const handle = await openDatabase({ url: empty.url });
        try {
          await roundTrip(handle);
        } finally {
          await handle.close();
        }
      } finally {
        await empty.drop();
      }
    }
  }, 120_000);
});
