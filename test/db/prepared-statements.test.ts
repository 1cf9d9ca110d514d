import { eq, inArray, sql } from 'drizzle-orm';
import { openDatabase, PREPARED_STATEMENT_MAX_PARAMETERS } from '../../src/db/database';
import type { DatabaseHandle } from '../../src/db/database';
import { customers } from '../../src/db/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** The statements prepared on the connection this query runs on. */
async function preparedOn(db: DatabaseHandle['db']): Promise<string[]> {
  const rows: unknown = await db.execute(
    sql`select statement from pg_prepared_statements where statement not like '%pg_prepared_statements%'`,
  );
  return [...(rows as { statement: string }[])].map((row) => row.statement);
}

describe('statements on Postgres', () => {
  let base: TestDatabase;
  let single: DatabaseHandle;

  beforeAll(async () => {
    base = await createTestDatabase();
    // One connection, so the catalogue query sees the statements the others prepared.
    single = await openDatabase({ url: base.url, maxConnections: 1 });
    await single.db.insert(customers).values({ id: 'p1', email: 'p1@example.com' });
  });

  afterAll(async () => {
    await single?.close();
    await base?.close();
  });

  it('are prepared once per connection and reused, in transactions too', async () => {
    const before = await preparedOn(single.db);
    for (let i = 0; i < 3; i += 1) {
      await single.db.select().from(customers).where(eq(customers.id, 'p1'));
      await single.db.transaction(async (tx) => {
        await tx.update(customers).set({ locale: 'de' }).where(eq(customers.id, 'p1'));
      });
    }
    const added = (await preparedOn(single.db)).filter((s) => !before.includes(s));
    expect(added.filter((s) => s.startsWith('select'))).toHaveLength(1);
    expect(added.filter((s) => s.startsWith('update'))).toHaveLength(1);
  });

  it('leaves statements with very many parameters unprepared', async () => {
    const ids = Array.from({ length: PREPARED_STATEMENT_MAX_PARAMETERS + 1 }, (_, i) => `x${i}`);
    const before = await preparedOn(single.db);
    const rows = await single.db.select().from(customers).where(inArray(customers.id, ids));
    expect(rows).toEqual([]);
    expect((await preparedOn(single.db)).filter((s) => !before.includes(s))).toEqual([]);
  });
});
