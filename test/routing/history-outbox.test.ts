/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any) are typed any. */
import { randomUUID } from 'node:crypto';
import { and, count, eq, isNull } from 'drizzle-orm';
import { inputIssues } from '../../src/api/input-limits';
import { audienceUpkeep } from '../../src/audience/audience-upkeep';
import { upsertCustomer } from '../../src/customers';
import { customers, events } from '../../src/db/schema';
import { importEvents } from '../../src/imports';
import { recordEvents, routePendingEvents } from '../../src/routing';
import { upkeepHistory } from '../../src/routing/history-claims';
import { deadTemporal } from '../api/harness';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Imported history has an outbox of its own: the router's claim of live events passes over it
 * (a backlog of history never stands before a live event, nor holds back the customer's live
 * events), and the history upkeep gives it the audience pass and marks it routed.
 */

let database: TestDatabase;
const temporal = deadTemporal();
beforeAll(async () => {
  database = await createTestDatabase();
  await upsertCustomer(database.db, 'ada', {});
});
afterAll(async () => {
  await temporal.close();
  await database?.close();
});

const unrouted = async (audienceOnly: boolean) =>
  (
    await database.db
      .select({ n: count() })
      .from(events)
      .where(and(isNull(events.routedAt), eq(events.audienceOnly, audienceOnly)))
  )[0]?.n;

it('routes a live event at once behind a backlog of the same customer’s history', async () => {
  const history = Array.from({ length: 300 }, (_, i) =>
    JSON.stringify({ id: `h-${i}`, customerId: 'ada', type: 'purchase', properties: { total: 1 } }),
  );
  await importEvents(database.db, [history.join('\n')], {
    format: 'ndjson',
    trigger: false,
    source: 'import',
    rules: { limits: inputIssues, maxEventBytes: 10_000 },
    now: new Date(),
  });
  await recordEvents(database.db, [{ id: 'live-1', customerId: 'ada', type: 'login' }], {
    source: 'api',
  });
  const audience = audienceUpkeep({ db: database.db, emailMarketingDefault: 'opted_in' });
  const deps = {
    db: database.db,
    temporal: temporal.client,
    taskQueue: 'history',
    defaultTimeZone: 'UTC',
  };

  // One pass over live events, with a batch smaller than the backlog: it takes the live one.
  expect(await routePendingEvents({ ...deps, audience, batchSize: 100 })).toBe(1);
  const [live] = await database.db.select().from(events).where(eq(events.id, 'live-1'));
  expect(live).toMatchObject({ routedAt: expect.any(Date) });
  expect(await unrouted(true)).toBe(300);

  const claim = () => ({
    db: database.db,
    audience,
    claim: randomUUID(),
    batchSize: 200,
    leaseMs: 60_000,
  });
  expect(await upkeepHistory(claim())).toBe(200);
  expect(await upkeepHistory(claim())).toBe(100);
  expect(await upkeepHistory(claim())).toBe(0);
  expect(await unrouted(true)).toBe(0);
  const [ada] = await database.db.select().from(customers).where(eq(customers.id, 'ada'));
  expect(ada?.attributes).toMatchObject({ lifetime_value: 300, orders_count: 300 });
});
