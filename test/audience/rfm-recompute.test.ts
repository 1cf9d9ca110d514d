import { eq, sql } from 'drizzle-orm';
import { previewSegment, publishSegment } from '../../src/audience';
import { recomputeRfm } from '../../src/audience/rfm-recompute';
import { loadProfileSnapshot } from '../../src/customers/load-profile';
import { evaluateCondition } from '../../src/journeys/conditions';
import { rowsOf } from '../../src/db/rows';
import { customers, events, rfmScores, scoreRuns, segmentDueChecks } from '../../src/db/schema';
import { DAY_MS, rankRfm, recencyDays, rfmScore, SCORE_CHANGED } from '../../src/scores';
import { segmentConditionSchema, segmentDefinitionSchema } from '../../src/segments/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { builtInCatalogue } from '../../src/scores';

/**
 * The RFM recompute as one statement on Postgres: ten customers whose quintiles are worked out by
 * hand below (with ties in every part), customers with no purchase in the window left without a
 * cell, a second recompute that writes score_changed events only for cells that changed, and the
 * score read by the profile snapshot and the segment `score` condition.
 */

const T = Date.UTC(2026, 10, 15, 12);
const HOUR = 3_600_000;
let database: TestDatabase;
let seq = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

/** Purchases `daysAgo` whole days (and an hour) before T, with these totals. */
function purchases(customerId: string, daysAgo: number[], totals: unknown[]) {
  return daysAgo.map((days, i) => ({
    id: `p${(seq += 1)}`,
    customerId,
    type: 'purchase',
    occurredAt: new Date(T - days * DAY_MS - HOUR),
    properties: (totals[i] === undefined ? {} : { total: totals[i] }) as never,
  }));
}

async function storedCells(): Promise<Record<string, string>> {
  const rows = await database.db
    .select({ customerId: rfmScores.customerId, cell: rfmScores.cell })
    .from(rfmScores);
  return Object.fromEntries(rows.map((row) => [row.customerId, row.cell]));
}

/*
 * n = 10 customers bought in the window, so q = 1 + ⌊5 × worse / 10⌋ = 1 + ⌊worse / 2⌋.
 *
 *        days  purchases  spent    R (worse)  F (worse)  M (worse)   cell  value
 *   a       0          5    500    5 (8)      5 (8)      5 (8)       555   15
 *   b       0          5    500    5 (8)      5 (8)      5 (8)       555   15
 *   c       3          3    250    4 (7)      4 (6)      4 (7)       444   12
 *   d      10          3    100    4 (6)      4 (6)      3 (5)       443   11
 *   e      30          2    100    3 (4)      3 (5)      3 (5)       333    9
 *   f      30          1     60    3 (4)      1 (0)      2 (3)       312    6
 *   g      90          1     60    2 (3)      1 (0)      2 (3)       212    5
 *   h     200          1     40    2 (2)      1 (0)      2 (2)       212    5
 *   i     300          1      0    1 (1)      1 (0)      1 (0)       111    3
 *   j     364          1     10    1 (0)      1 (0)      1 (1)       111    3
 *
 * Not scored: k bought 400 days ago, l only "tomorrow" (a future date), m never.
 */
const HAND_CELLS = {
  a: '555',
  b: '555',
  c: '444',
  d: '443',
  e: '333',
  f: '312',
  g: '212',
  h: '212',
  i: '111',
  j: '111',
};

it('ranks ten customers into the quintiles worked out by hand, equal values sharing one', async () => {
  const { db } = database;
  await db.insert(customers).values('abcdefghijklm'.split('').map((id) => ({ id })));
  await db.insert(events).values([
    ...purchases('a', [0, 20, 40, 60, 80], [100, 100, 100, 100, 100]),
    // A numeric string counts, as lifetime_value counts it.
    ...purchases('b', [0, 1, 2, 3, 4], [100, '100', 100.5, 99.5, 100]),
    // 0.1 + 0.2 is not 0.3 in floating point: the sum is kept exact.
    ...purchases('c', [3, 50, 100], [0.1, 0.2, 249.7]),
    ...purchases('d', [10, 11, 12], [33.3, 33.3, 33.4]),
    ...purchases('e', [30, 31], [50, 50]),
    ...purchases('f', [30], [60]),
    ...purchases('g', [90], [60]),
    ...purchases('h', [200], [' 40 ']),
    // Not a number: the purchase counts, its amount adds nothing.
    ...purchases('i', [300], ['n/a']),
    ...purchases('j', [364], [10]),
    ...purchases('k', [400], [1000]),
    ...purchases('l', [-5], [1000]),
    // Other events carry totals too; only purchases count.
    {
      id: 'v1',
      customerId: 'm',
      type: 'page_view',
      occurredAt: new Date(T),
      properties: { total: 5 },
    },
  ]);

  const outcome = await recomputeRfm(db, rfmScore, new Date(T));

  expect(outcome).toMatchObject({ scored: 10, changed: 10, firstCells: 10, removed: 0, events: 0 });
  expect(await storedCells()).toEqual(HAND_CELLS);
  const [d] = await db.select().from(rfmScores).where(eq(rfmScores.customerId, 'd'));
  const dLast = new Date(T - 10 * DAY_MS - HOUR);
  expect(d).toMatchObject({ lastPurchaseAt: dLast, purchases: 3, monetary: 100, r: 4, f: 4, m: 3 });
  expect(d).toMatchObject({ value: 11, cell: '443', cellSince: new Date(T) });
  expect(await db.select().from(scoreRuns)).toEqual([
    { scoreId: 'rfm', version: 1, computedAt: new Date(T), scored: 10, changed: 10 },
  ]);
  // First cells are no transition: no event for anyone.
  expect(await changeEvents()).toEqual([]);
});

it('agrees with the pure ranking on the measures it stored', async () => {
  const rows = await database.db.select().from(rfmScores);
  const pure = rankRfm(
    rows.map((row) => ({ ...row, recencyDays: recencyDays(row.lastPurchaseAt.getTime(), T) })),
  );
  expect(Object.fromEntries(pure.map((c) => [c.customerId, c.cell]))).toEqual(HAND_CELLS);
  expect(pure.map((c) => c.value)).toEqual(rows.map((row) => row.value));
});

it('is read as scores.rfm (r + f + m), and is missing for a customer with no cell', async () => {
  const a = await loadProfileSnapshot(database.db, 'a', builtInCatalogue, new Date(T));
  expect(a?.scores).toMatchObject({ rfm: 15 });
  const k = await loadProfileSnapshot(database.db, 'k', builtInCatalogue, new Date(T));
  expect(k?.scores).toBeDefined();
  expect(k?.scores).not.toHaveProperty('rfm');
  // A journey condition on it: a, and for k a missing field, which no operator passes.
  const champion = { field: 'scores.rfm', op: 'gte', value: 12 } as const;
  expect(evaluateCondition(champion, { scores: a?.scores as never }, T)).toMatchObject({
    passed: true,
    actual: 15,
  });
  expect(evaluateCondition(champion, { scores: k?.scores as never }, T)).toMatchObject({
    passed: false,
    missing: true,
  });
  const notChampion = { field: 'scores.rfm', op: 'lt', value: 12 } as const;
  expect(evaluateCondition(notChampion, { scores: k?.scores as never }, T).passed).toBe(false);
});

it('answers the segment score condition; a customer with no cell never passes it', async () => {
  const members = async (where: unknown) => {
    const preview = await previewSegment(database.db, segmentConditionSchema.parse(where), {
      now: new Date(T),
      emailMarketingDefault: 'opted_in',
      sample: 20,
    });
    return [...preview.sample].sort();
  };
  expect(await members({ score: { score: 'rfm', op: 'gte', value: 12 } })).toEqual(['a', 'b', 'c']);
  expect(await members({ score: { score: 'rfm', op: 'ne', value: 15 } })).toEqual(
    'cdefghij'.split(''),
  );
  // `not` of a condition that fails passes, whatever made it fail (a missing value too).
  expect(await members({ not: { score: { score: 'rfm', op: 'gte', value: 5 } } })).toEqual([
    'i',
    'j',
    'k',
    'l',
    'm',
  ]);
});

/*
 * Two days on (T2), n = 10 again: j's only purchase is 366 days old and leaves the window, i buys
 * for 1000 an hour before T2, and a new customer n buys once for 5. Ranking is relative, so the
 * newcomers move nearly everyone:
 *
 *        days  purchases  spent    R (worse)  F (worse)  M (worse)   cell   was
 *   a       2          5    500    4 (6)      5 (8)      4 (7)       454    555
 *   b       2          5    500    4 (6)      5 (8)      4 (7)       454    555
 *   c       5          3    250    3 (5)      4 (6)      4 (6)       344    444
 *   d      12          3    100    3 (4)      4 (6)      3 (4)       343    443
 *   e      32          2    100    2 (2)      3 (4)      3 (4)       233    333
 *   f      32          1     60    2 (2)      1 (0)      2 (2)       212    312
 *   g      92          1     60    1 (1)      1 (0)      2 (2)       112    212
 *   h     202          1     40    1 (0)      1 (0)      1 (1)       111    212
 *   i       0          2   1000    5 (8)      3 (4)      5 (9)       535    111
 *   n       0          1      5    5 (8)      1 (0)      1 (0)       511    (none: no event)
 *   j                                                                 (none) 111
 */
const T2 = T + 2 * DAY_MS;
const HAND_CELLS_T2 = {
  a: '454',
  b: '454',
  c: '344',
  d: '343',
  e: '233',
  f: '212',
  g: '112',
  h: '111',
  i: '535',
  n: '511',
};

it('writes score_changed for each cell that changed or left the window; a first cell is re-checked by segments', async () => {
  const { db } = database;
  await publishSegment(
    db,
    segmentDefinitionSchema.parse({
      id: 'rfm_champions',
      name: 'RFM champions',
      where: { score: { score: 'rfm', op: 'gte', value: 13 } },
    }),
  );
  await db.delete(segmentDueChecks);
  await db.insert(customers).values({ id: 'n' });
  await db.insert(events).values([
    {
      id: 'late-i',
      customerId: 'i',
      type: 'purchase',
      occurredAt: new Date(T2 - HOUR),
      properties: { total: 1000 },
    },
    {
      id: 'first-n',
      customerId: 'n',
      type: 'purchase',
      occurredAt: new Date(T2 - HOUR),
      properties: { total: 5 },
    },
  ]);

  const outcome = await recomputeRfm(db, rfmScore, new Date(T2));

  expect(await storedCells()).toEqual(HAND_CELLS_T2);
  expect(outcome).toMatchObject({
    scored: 10,
    written: 10,
    changed: 11,
    firstCells: 1,
    removed: 1,
    events: 10,
  });
  const was: Record<string, string> = HAND_CELLS;
  const expected = [
    ...'abcdefghi'.split('').map((id) => ({
      customerId: id,
      from: was[id],
      to: HAND_CELLS_T2[id as keyof typeof HAND_CELLS_T2],
    })),
    { customerId: 'j', from: '111', to: null },
  ];
  const written = await changeEvents();
  expect(written.map(({ customerId, from, to }) => ({ customerId, from, to }))).toEqual(expected);
  expect(written.find((e) => e.customerId === 'i')).toMatchObject({
    occurredAt: new Date(T2),
    source: 'scores',
    routedAt: null,
    value: 13,
    previousValue: 3,
  });
  // n's first cell has no event: the segments that read the score look at n again at once.
  expect(await db.select().from(segmentDueChecks)).toEqual([
    { segmentId: 'rfm_champions', customerId: 'n', dueAt: new Date(T2), fromHistory: false },
  ]);
});

it('changes nothing an hour later (same whole days) and writes no row; a kept cell keeps its since', async () => {
  const eventsBefore = (await changeEvents()).length;
  const outcome = await recomputeRfm(database.db, rfmScore, new Date(T2 + HOUR));
  expect(outcome).toMatchObject({ scored: 10, written: 0, changed: 0, events: 0, removed: 0 });
  expect(await changeEvents()).toHaveLength(eventsBefore);
  const [a] = await database.db.select().from(rfmScores).where(eq(rfmScores.customerId, 'a'));
  expect(a).toMatchObject({ cell: '454', cellSince: new Date(T2) });
  expect(await database.db.select().from(scoreRuns)).toEqual([
    { scoreId: 'rfm', version: 1, computedAt: new Date(T2 + HOUR), scored: 10, changed: 0 },
  ]);
});

async function changeEvents() {
  const rows = rowsOf<{
    customer_id: string;
    properties: Record<string, unknown>;
    occurred_at: Date | string;
    source: string;
    routed_at: Date | null;
  }>(
    await database.db.execute(sql`
      select customer_id, properties, occurred_at, source, routed_at from events
       where type = ${SCORE_CHANGED} order by customer_id, occurred_at`),
  );
  return rows.map((row) => ({
    customerId: row.customer_id,
    from: row.properties.from,
    to: row.properties.to,
    value: row.properties.value,
    previousValue: row.properties.previous_value,
    occurredAt: new Date(row.occurred_at),
    source: row.source,
    routedAt: row.routed_at,
  }));
}
