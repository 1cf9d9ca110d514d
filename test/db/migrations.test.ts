import { sql } from 'drizzle-orm';
import { customers } from '../../src/db/schema';
import { openDatabase } from '../../src/db/database';
import { createTestDatabase } from '../support/test-database';

describe('migrations', () => {
  it('create the schema on Postgres', async () => {
    const handle = await createTestDatabase();
    try {
      await handle.db.insert(customers).values({ id: 'c1', email: 'a@example.com' });
      const rows = await handle.db.select().from(customers);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.attributes).toEqual({});
    } finally {
      await handle.close();
    }
  });

  it('create the same schema on embedded PGlite', async () => {
    const handle = await openDatabase({});
    try {
      const result = await handle.db.execute(
        sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
      );
      const rows = (result as unknown as { rows: { n: number }[] }).rows;
      expect(rows[0]?.n).toBe(6);
    } finally {
      await handle.close();
    }
  });
});
