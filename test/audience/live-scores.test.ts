import { sql } from 'drizzle-orm';
import { liveScores } from '../../src/audience/live-scores';
import { storedScores } from '../../src/customers/customer-scores';
import { openDatabase } from '../../src/db/database';
import { rowsOf } from '../../src/db/rows';
import { customers, events, scoreContributions } from '../../src/db/schema';
import type { AudienceEvent } from '../../src/routing/types';
import { DAY_MS, engagementScore, scoreAt } from '../../src/scores';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { installBuiltInScores } from '../../src/audience/install-built-ins';

/**
 * The engagement score as the router keeps it: batches of events counted into (value, as_of),
 * read at any later time by the pure scoreAt, equal to the formula of seed S3 computed by hand.
 */

const T0 = Date.UTC(2026, 10, 1, 12);
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.insert(customers).values([{ id: 'ada' }, { id: 'bob' }]);
});

afterAll(async () => {
  await database.close();
});

let nextId = 0;
async function stored(
  customerId: string,
  type: string,
  at: number,
  properties: Record<string, unknown> = {},
  flags: Record<string, unknown> | null = null,
): Promise<AudienceEvent> {
  nextId += 1;
  const event = {
    id: `e${nextId}`,
    customerId,
    type,
    occurredAt: new Date(at),
    properties: properties as never,
  };
  await database.db.insert(events).values({ ...event, flags: flags as never });
  return event;
}

async function engagementOf(customerId: string, now: number): Promise<number> {
  const state = (await storedScores(database.db, [customerId], [engagementScore])).get(
    customerId,
  )?.engagement;
  return scoreAt(engagementScore, state, now);
}

it('equals Σ weight × multiplier × 0.95^days after out-of-order, re-delivered and machine events', async () => {
  const counting = (at: number) => liveScores({ db: database.db, clock: () => new Date(at) });
  const purchase = await stored('ada', 'purchase', T0, { is_repeat_customer: true });
  const view = await stored('ada', 'product_view', T0 + 2 * DAY_MS, { price: 150 });
  const click = await stored('ada', 'email_clicked', T0 + 3.25 * DAY_MS);
  const machineOpen = await stored(
    'ada',
    'email_opened',
    T0 + 3.5 * DAY_MS,
    {},
    { machineOpen: true },
  );
  const ignored = await stored('ada', 'cart_cleared', T0 + 3.5 * DAY_MS);
  // Late and out of order: the view of day 1 arrives after day 3's click.
  const lateView = await stored('ada', 'page_view', T0 + 1 * DAY_MS);

  await counting(T0 + 2 * DAY_MS).forEvents([purchase, view]);
  await counting(T0 + 4 * DAY_MS).forEvents([click, machineOpen, ignored]);
  await counting(T0 + 5 * DAY_MS).forEvents([lateView]);
  // The router delivers a batch again (a lease ran out mid-pass): nothing counts twice.
  await counting(T0 + 6 * DAY_MS).forEvents([purchase, view, lateView]);

  const now = T0 + 10 * DAY_MS;
  const byHand =
    10 * 1.3 * 0.95 ** 10 + // the repeat purchase, 10 days ago
    2 * 1.5 * 0.95 ** 8 + // a product view over 100, 8 days ago
    3 * 0.95 ** 6.75 + // a human click, 6.75 days ago
    1 * 0.95 ** 9; // the late page view, 9 days ago
  expect(await engagementOf('ada', now)).toBeCloseTo(byHand, 10);
  const contributions = await database.db
    .select({ id: scoreContributions.eventId })
    .from(scoreContributions)
    .orderBy(scoreContributions.eventId);
  expect(contributions.map((c) => c.id).sort()).toEqual(
    [purchase, view, click, lateView].map((e) => e.id).sort(),
  );
  // Nobody else's score moved.
  expect(await engagementOf('bob', now)).toBe(0);
});

it('caps the value read at 100 and decays below it with no work done', async () => {
  const batch = await Promise.all(Array.from({ length: 15 }, () => stored('bob', 'purchase', T0)));
  await liveScores({ db: database.db, clock: () => new Date(T0) }).forEvents(batch);
  expect(await engagementOf('bob', T0 + DAY_MS)).toBe(100);
  expect(await engagementOf('bob', T0 + 30 * DAY_MS)).toBeCloseTo(150 * 0.95 ** 30, 10);
});

it('costs no statement for a batch no score weighs', async () => {
  const queries: string[] = [];
  const counted = await liveScores({
    db: new Proxy(database.db, {
      get(target, key, receiver) {
        if (key === 'execute') queries.push('execute');
        return Reflect.get(target, key, receiver) as unknown;
      },
    }),
  }).forEvents([
    await stored('bob', 'cart_cleared', T0),
    await stored('bob', 'segment_entered', T0),
  ]);
  expect(counted).toBe(0);
  expect(queries).toEqual([]);
  const [row] = rowsOf<{ n: number }>(
    await database.db.execute(
      sql`select count(*)::int as n from score_contributions where customer_id = 'bob'`,
    ),
  );
  expect(row?.n).toBe(15);
});

it('counts the same on embedded PGlite (npm start on embedded defaults)', async () => {
  const embedded = await openDatabase({});
  try {
    // As npm start does: the router reads the scores from the catalogue.
    await installBuiltInScores(embedded.db);
    await embedded.db.insert(customers).values({ id: 'cy' });
    const batch = [
      { id: 'p1', customerId: 'cy', type: 'purchase', occurredAt: new Date(T0), properties: {} },
      {
        id: 'v1',
        customerId: 'cy',
        type: 'page_view',
        occurredAt: new Date(T0 - DAY_MS),
        properties: {},
      },
    ];
    await embedded.db.insert(events).values(batch);
    const counting = liveScores({ db: embedded.db, clock: () => new Date(T0) });
    await counting.forEvents(batch);
    await counting.forEvents(batch);
    const state = (await storedScores(embedded.db, ['cy'], [engagementScore])).get(
      'cy',
    )?.engagement;
    expect(scoreAt(engagementScore, state, T0 + 2 * DAY_MS)).toBeCloseTo(
      10 * 0.95 ** 2 + 1 * 0.95 ** 3,
      10,
    );
  } finally {
    await embedded.close();
  }
});
