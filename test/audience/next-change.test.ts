import { sql } from 'drizzle-orm';
import { nextChangeAt } from '../../src/audience/next-change';
import { customers } from '../../src/db/schema';
import { asTimestamp } from '../../src/journeys/conditions';
import { evaluateSegment } from '../../src/segments/evaluate';
import { nextChangeAfter } from '../../src/segments/next-change';
import type { CustomerFacts } from '../../src/segments/customer-facts';
import type { SegmentCondition } from '../../src/segments/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { Random } from './support/random';
import { parsed, randomCondition, randomLeaf } from './support/random-definitions';
import { DAY, makeWorld, NOW, type World } from './support/segment-world';
import { factsOf, storeWorld } from './support/world-store';
import { builtInCatalogue } from '../../src/scores';

/**
 * nextChangeAt (SQL) equals its pure twin for every customer, and the twin is never late: the
 * evaluator's answer holds at every probed moment strictly between now and the next change, and
 * walking from one next change to the next never skips a flip.
 */

const SEED = Number(process.env.SEGMENT_SEED ?? 20_261_202);
const options = { emailMarketingDefault: 'opted_in' as const, scores: builtInCatalogue };

let database: TestDatabase;
let world: World;
let facts: Map<string, CustomerFacts>;

beforeAll(async () => {
  database = await createTestDatabase();
  world = makeWorld(SEED, 300);
  facts = new Map(world.customers.map((c) => [c.id, factsOf(world, c)]));
  await storeWorld(database.db, world);
});

afterAll(async () => {
  await database.close();
});

function definitions(seed: number): SegmentCondition[] {
  const random = new Random(seed);
  return [
    ...Array.from({ length: 60 }, (_, i) => parsed(randomLeaf(random, i))),
    ...Array.from({ length: 60 }, () => parsed(randomCondition(random, 3))),
  ];
}

async function sqlNextChanges(condition: SegmentCondition, now: number) {
  const expression = nextChangeAt(condition, { now: new Date(now), scores: builtInCatalogue });
  if (!expression) return null;
  const rows = await database.db
    .select({ id: customers.id, at: sql<string | null>`${expression}::text` })
    .from(customers);
  return new Map(rows.map((row) => [row.id, row.at === null ? null : Date.parse(row.at)]));
}

it('computes in SQL exactly what the pure twin computes', async () => {
  let timed = 0;
  for (const condition of definitions(SEED)) {
    const fromSql = await sqlNextChanges(condition, NOW);
    for (const [id, f] of facts) {
      const expected = nextChangeAfter(condition, f, NOW, builtInCatalogue);
      const got = fromSql === null ? null : (fromSql.get(id) ?? null);
      if (got !== expected) {
        throw new Error(
          `seed ${SEED}: ${id} ${JSON.stringify(condition)}: SQL ${got}, pure ${expected}`,
        );
      }
      if (expected !== null) timed += 1;
    }
  }
  expect(timed).toBeGreaterThan(1_000);
});

/** Moments worth probing: every event and property time with each window and age edge after it, and a 12-hour grid. */
function probes(f: CustomerFacts, from: number, until: number): number[] {
  const edges = [0, 3_600_000, DAY, 7 * DAY, 30 * DAY, 90 * DAY, 365 * DAY];
  const points = new Set<number>();
  const times = [
    ...f.events.map((e) => e.occurredAt),
    ...f.events.map((e) => asTimestamp(e.properties.at ?? null)),
    asTimestamp(f.profile.signed_up_at ?? null),
    asTimestamp(f.profile.last_engaged_at ?? null),
  ].filter((t): t is number => t !== null);
  for (const time of times) {
    for (const edge of edges)
      for (const d of [-1, 0, 1, 2]) points.add(Math.floor(time) + edge + d);
  }
  for (let t = from; t < until && t < from + 400 * DAY; t += 12 * 3_600_000) points.add(t);
  return [...points].filter((t) => t > from && t < until).sort((a, b) => a - b);
}

it('is never later than the evaluator’s next flip, step after step', () => {
  let flipsAtNext = 0;
  let checked = 0;
  for (const condition of definitions(SEED + 1).slice(0, 40)) {
    for (const [id, f] of [...facts].slice(0, 40)) {
      let now = NOW;
      for (let step = 0; step < 4; step += 1) {
        const next = nextChangeAfter(condition, f, now, builtInCatalogue);
        const answer = evaluateSegment(condition, f, now, options);
        const horizon = next ?? now + 400 * DAY;
        const flip = probes(f, now, horizon).find(
          (t) => evaluateSegment(condition, f, t, options) !== answer,
        );
        if (flip !== undefined) {
          throw new Error(
            `seed ${SEED}: ${id} ${JSON.stringify(condition)}: flips at ${flip}, next change said ${next} (now ${now})`,
          );
        }
        checked += 1;
        if (next === null) break;
        if (evaluateSegment(condition, f, next, options) !== answer) flipsAtNext += 1;
        now = next;
      }
    }
  }
  // Not vacuous: many next changes are exactly the moment the answer flips.
  expect(checked).toBeGreaterThan(1_600);
  expect(flipsAtNext).toBeGreaterThan(20);
});
