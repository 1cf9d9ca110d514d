import { recomputeRfm } from '../../src/audience/rfm-recompute';
import { openDatabase, type Database } from '../../src/db/database';
import { customers, events, rfmScores } from '../../src/db/schema';
import { DAY_MS, rankRfm, recencyDays, rfmScore, type RfmMeasure } from '../../src/scores';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { Random } from './support/random';

/**
 * The recompute statement held to the pure ranking (src/scores/rfm.ts) on seeded worlds: many
 * customers, purchases in and out of the window (and in the future), totals as numbers, numeric
 * strings and junk, and values drawn from small sets so ties are everywhere.
 */

const NOW = Date.UTC(2026, 10, 15, 12);
const WINDOW_MS = 365 * DAY_MS;
const TOTALS: unknown[] = [0, 9.99, 10, 25.5, '25.5', 40, 99.9, 120, 'n/a', null, undefined];

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

interface Purchase {
  customerId: string;
  occurredAt: number;
  total: unknown;
}

function world(seed: number, size: number): Purchase[] {
  const random = new Random(seed);
  const purchases: Purchase[] = [];
  for (let c = 0; c < size; c++) {
    const count = random.pick([0, 1, 1, 1, 2, 2, 3, 5]);
    for (let p = 0; p < count; p++) {
      // Whole days with a random hour, so recency ties are common; some outside the window.
      const days = random.pick([0, 1, 2, 7, 30, 31, 90, 180, 364, 366, 500, -3]);
      purchases.push({
        customerId: `s${seed}-c${c}`,
        occurredAt: NOW - days * DAY_MS - random.int(0, 23) * 3_600_000,
        total: random.pick(TOTALS),
      });
    }
  }
  return purchases;
}

/** What the statement should measure, computed here from the purchases (money in cents). */
function measuresOf(purchases: Purchase[]): RfmMeasure[] {
  const by = new Map<string, { last: number; count: number; cents: number }>();
  for (const p of purchases) {
    if (p.occurredAt > NOW || p.occurredAt < NOW - WINDOW_MS) continue;
    const entry = by.get(p.customerId) ?? { last: -Infinity, count: 0, cents: 0 };
    const amount = typeof p.total === 'number' ? p.total : Number(p.total);
    const numeric = (typeof p.total === 'number' || typeof p.total === 'string') && !isNaN(amount);
    by.set(p.customerId, {
      last: Math.max(entry.last, p.occurredAt),
      count: entry.count + 1,
      cents: entry.cents + (numeric ? Math.round(amount * 100) : 0),
    });
  }
  return [...by].map(([customerId, m]) => ({
    customerId,
    recencyDays: recencyDays(m.last, NOW),
    purchases: m.count,
    monetary: m.cents / 100,
  }));
}

async function checkWorld(db: Database, seed: number): Promise<void> {
  await db.delete(rfmScores);
  await db.delete(events);
  await db.delete(customers);
  const purchases = world(seed, 400);
  const ids = [...new Set(purchases.map((p) => p.customerId))];
  await db.insert(customers).values(ids.map((id) => ({ id })));
  await db.insert(events).values(
    purchases.map((p, i) => ({
      id: `s${seed}-e${i}`,
      customerId: p.customerId,
      type: 'purchase',
      occurredAt: new Date(p.occurredAt),
      properties: (p.total === undefined ? {} : { total: p.total }) as never,
    })),
  );

  await recomputeRfm(db, rfmScore, new Date(NOW));

  const expected = rankRfm(measuresOf(purchases));
  expect(expected.length).toBeGreaterThan(200);
  const stored = await db.select().from(rfmScores);
  const shown = (list: readonly (RfmMeasure & { cell: string; value: number })[]) =>
    list
      .map(({ customerId, recencyDays, purchases, monetary, cell, value }) => ({
        customerId,
        recencyDays,
        purchases,
        monetary,
        cell,
        value,
      }))
      .sort((a, b) => a.customerId.localeCompare(b.customerId));
  const measured = stored.map((row) => ({
    ...row,
    recencyDays: recencyDays(row.lastPurchaseAt.getTime(), NOW),
  }));
  expect(shown(measured)).toEqual(shown(expected));
}

it.each([1, 2, 3])('gives every customer of world %i the pure ranking’s cell', async (seed) => {
  await checkWorld(database.db, seed);
});

it('gives the same cells on embedded PGlite (npm start)', async () => {
  const pglite = await openDatabase({});
  try {
    await checkWorld(pglite.db, 4);
  } finally {
    await pglite.close();
  }
});
