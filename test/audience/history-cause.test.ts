import { asc, eq, sql } from 'drizzle-orm';
import { historyOnlyCustomers } from '../../src/audience/history-cause';
import { requestStageChecks } from '../../src/audience/lifecycle-changes';
import { upsertCustomer } from '../../src/customers';
import { lifecycleDueChecks } from '../../src/db/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * What a change caused by imported history is: a customer's change is history only when all of
 * the customer's events behind it are; a due check keeps the cause of the earlier request, and
 * a live request at the same moment makes it live.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  for (const id of ['hist', 'live-earlier', 'same-time', 'hist-earlier']) {
    await upsertCustomer(database.db, id, {});
  }
});
afterAll(async () => database?.close());

describe('historyOnlyCustomers', () => {
  it('counts a customer as history only when every event of theirs in the batch is', () => {
    const batch = [
      { customerId: 'a', history: true },
      { customerId: 'a', history: true },
      { customerId: 'b', history: true },
      { customerId: 'b' },
      { customerId: 'c', history: false },
    ];
    expect([...historyOnlyCustomers(batch)]).toEqual(['a']);
  });
});

describe('the cause a due check keeps', () => {
  const at = (ms: number) => new Date(Date.parse('2026-06-01T00:00:00.000Z') + ms);

  async function causes(): Promise<Record<string, boolean>> {
    const rows = await database.db
      .select()
      .from(lifecycleDueChecks)
      .orderBy(asc(lifecycleDueChecks.customerId));
    return Object.fromEntries(rows.map((row) => [row.customerId, row.fromHistory]));
  }

  it('keeps the cause of the earlier request, and live when both are due at once', async () => {
    await requestStageChecks(database.db, ['hist', 'live-earlier', 'same-time'], at(60_000), true);
    await requestStageChecks(database.db, ['hist-earlier'], at(0), true);
    await requestStageChecks(database.db, ['live-earlier'], at(0));
    await requestStageChecks(database.db, ['same-time'], at(60_000));
    await requestStageChecks(database.db, ['hist-earlier'], at(60_000));
    expect(await causes()).toEqual({
      hist: true,
      'live-earlier': false,
      'same-time': false,
      'hist-earlier': true,
    });
    const [earliest] = await database.db
      .select({ dueAt: lifecycleDueChecks.dueAt })
      .from(lifecycleDueChecks)
      .where(eq(lifecycleDueChecks.customerId, 'hist-earlier'));
    expect(earliest?.dueAt).toEqual(at(0));
    await database.db.execute(sql`delete from lifecycle_due_checks`);
  });
});
