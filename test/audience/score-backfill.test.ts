import { eq } from 'drizzle-orm';
import { liveScores } from '../../src/audience/live-scores';
import { publishScore } from '../../src/audience/publish-score';
import { backfillNextPage } from '../../src/audience/score-backfill';
import { loadScoreCatalogue } from '../../src/audience/score-catalogue';
import { storedScores } from '../../src/customers/customer-scores';
import { customers, events, scoreContributions, scoreDefinitions } from '../../src/db/schema';
import type { AudienceEvent } from '../../src/routing/types';
import { DAY_MS, scoreAt, type DecayingScore } from '../../src/scores';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * A new decaying version backfilled from event history, page by page: weight × the matching
 * multipliers × decayPerDay^age, human engagement only, each event once even when the router
 * counts it live as well, and the version active only once the last page is done.
 */

const T0 = Date.UTC(2026, 10, 1, 12);
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.insert(customers).values([{ id: 'ada' }, { id: 'bob' }, { id: 'cy' }]);
});
afterAll(async () => database.close());

const history: AudienceEvent[] = [];
async function stored(
  id: string,
  customerId: string,
  type: string,
  daysAgo: number,
  properties: Record<string, unknown> = {},
  flags: Record<string, unknown> | null = null,
): Promise<void> {
  const event = {
    id,
    customerId,
    type,
    occurredAt: new Date(T0 - daysAgo * DAY_MS),
    properties: properties as never,
  };
  await database.db.insert(events).values({ ...event, flags: flags as never });
  history.push(event);
}

const intent = {
  id: 'intent',
  name: 'Intent',
  description: 'Forms and downloads',
  kind: 'decaying' as const,
  weights: { form_submit: 4, download: 6 },
  multipliers: [
    {
      event: 'form_submit',
      where: [{ property: 'pages', op: 'gte' as const, value: 5 }],
      factor: 2,
    },
  ],
  decayPerDay: 0.9,
  cap: 1000,
};

it('backfills the history once, page by page, and activates the version after the last page', async () => {
  await stored('ada-form-long', 'ada', 'form_submit', 3, { pages: 7 });
  await stored('ada-form-short', 'ada', 'form_submit', 1, { pages: 2 });
  await stored('ada-view', 'ada', 'page_view', 1);
  await stored('bob-download', 'bob', 'download', 2);
  await stored('bob-bot-download', 'bob', 'download', 1, {}, { bot: true });
  await stored('cy-view', 'cy', 'page_view', 1);

  const published = await publishScore(database.db, intent);
  expect(published).toEqual({ id: 'intent', version: 1, kind: 'decaying', active: false });
  // Not read yet; counted live already (the router counts the versions being backfilled).
  const before = await loadScoreCatalogue(database.db);
  expect(before.find('intent')).toBeUndefined();
  expect(before.counted().map((s) => s.id)).toContain('intent');

  // The router counts one of the old events live while the backfill has not reached ada.
  const live = liveScores({ db: database.db, clock: () => new Date(T0) });
  await live.forEvents(history.filter((e) => e.id === 'ada-form-short'));

  let pages = 0;
  for (;;) {
    const work = await backfillNextPage(database.db, { now: new Date(T0), size: 1 });
    if (work === 0) break;
    pages += 1;
    const [row] = await database.db
      .select()
      .from(scoreDefinitions)
      .where(eq(scoreDefinitions.id, 'intent'));
    // A page of one customer: three customers are three full pages and a last empty one.
    expect(row?.activeVersion).toBe(pages <= 3 ? 0 : 1);
  }
  expect(pages).toBe(4);

  const catalogue = await loadScoreCatalogue(database.db);
  const definition = catalogue.find('intent') as DecayingScore;
  expect(definition).toMatchObject({ version: 1, weights: intent.weights });
  const values = await storedScores(database.db, ['ada', 'bob', 'cy'], [definition]);
  const at = T0 + DAY_MS;
  // By hand, read a day after T0: ada's long form (4 × 2) is 4 days old and her short one (4)
  // 2 days; bob's download (6) 3 days, his bot's counts nothing; cy's view is not weighed.
  const ada = 4 * 2 * 0.9 ** 4 + 4 * 0.9 ** 2;
  const bob = 6 * 0.9 ** 3;
  expect(scoreAt(definition, values.get('ada')?.intent, at)).toBeCloseTo(ada, 10);
  expect(scoreAt(definition, values.get('bob')?.intent, at)).toBeCloseTo(bob, 10);
  expect(values.get('cy')).toBeUndefined();

  const rows = await database.db
    .select({ eventId: scoreContributions.eventId, points: scoreContributions.points })
    .from(scoreContributions)
    .where(eq(scoreContributions.scoreId, 'intent'));
  expect(rows.sort((a, b) => a.eventId.localeCompare(b.eventId))).toEqual([
    { eventId: 'ada-form-long', points: 8 },
    { eventId: 'ada-form-short', points: 4 },
    { eventId: 'bob-download', points: 6 },
  ]);
});

it('adds nothing when the router later counts an event the backfill counted', async () => {
  const definition = (await loadScoreCatalogue(database.db)).find('intent') as DecayingScore;
  const live = liveScores({ db: database.db, clock: () => new Date(T0) });
  await live.forEvents(history);
  const values = await storedScores(database.db, ['ada', 'bob'], [definition]);
  expect(scoreAt(definition, values.get('bob')?.intent, T0)).toBeCloseTo(6 * 0.9 ** 2, 10);
  expect(scoreAt(definition, values.get('ada')?.intent, T0)).toBeCloseTo(
    4 * 2 * 0.9 ** 3 + 4 * 0.9,
    10,
  );
  expect(await backfillNextPage(database.db, { now: new Date(T0) })).toBe(0);
});

it('keeps reading the active version while the next one is backfilled', async () => {
  const second = await publishScore(database.db, {
    ...intent,
    weights: { download: 10 },
    multipliers: [],
  });
  expect(second).toMatchObject({ version: 2, active: false });
  expect((await loadScoreCatalogue(database.db)).find('intent')?.version).toBe(1);
  while ((await backfillNextPage(database.db, { now: new Date(T0) })) > 0);
  const definition = (await loadScoreCatalogue(database.db)).find('intent') as DecayingScore;
  expect(definition.version).toBe(2);
  const values = await storedScores(database.db, ['ada', 'bob'], [definition]);
  expect(values.get('ada')).toBeUndefined();
  expect(scoreAt(definition, values.get('bob')?.intent, T0)).toBeCloseTo(10 * 0.9 ** 2, 10);
});

it('refuses another kind for a score, naming kind', async () => {
  await expect(
    publishScore(database.db, {
      id: 'intent',
      name: 'Intent',
      description: '',
      kind: 'profile_quality',
      requiredFields: ['first_name'],
    }),
  ).rejects.toMatchObject({ path: 'kind' });
});
