import { and, inArray } from 'drizzle-orm';
import { segmentPredicate } from '../../src/audience/segment-sql';
import { customers } from '../../src/db/schema';
import { evaluateSegment } from '../../src/segments/evaluate';
import type { CustomerFacts } from '../../src/segments/customer-facts';
import type { SegmentCondition } from '../../src/segments/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { Random } from './support/random';
import { parsed, randomCondition, randomLeaf } from './support/random-definitions';
import { makeWorld, NOW, type World } from './support/segment-world';
import { factsOf, storeWorld } from './support/world-store';
import { builtInCatalogue } from '../../src/scores';

/**
 * The SQL compiler and the pure evaluator must name the same members for every definition: a
 * seeded world of customers (missing, null and numeric-string attributes, odd timestamps, machine
 * opens, suppressions, tokens, consent, topics, memberships) and seeded random definitions.
 * A failure prints the seed; SEGMENT_SEED=<seed> replays it.
 */

const SEED = Number(process.env.SEGMENT_SEED ?? 20_261_201);
const CUSTOMERS = 2_000;

let database: TestDatabase;
let world: World;
let facts: Map<string, CustomerFacts>;

beforeAll(async () => {
  database = await createTestDatabase();
  world = makeWorld(SEED, CUSTOMERS);
  facts = new Map(world.customers.map((c) => [c.id, factsOf(world, c)]));
  await storeWorld(database.db, world);
});

afterAll(async () => {
  await database.close();
});

type Default = 'opted_in' | 'opted_out';

async function sqlMembers(
  condition: SegmentCondition,
  now: number,
  emailDefault: Default,
  ids?: string[],
  population: 'few' | 'all' = 'few',
) {
  const predicate = segmentPredicate(condition, {
    now: new Date(now),
    emailMarketingDefault: emailDefault,
    scores: builtInCatalogue,
    population,
  });
  const rows = await database.db
    .select({ id: customers.id })
    .from(customers)
    .where(ids ? and(predicate, inArray(customers.id, ids)) : predicate);
  return rows.map((row) => row.id).sort();
}

function evaluatedMembers(
  condition: SegmentCondition,
  now: number,
  emailDefault: Default,
  ids?: string[],
) {
  return [...facts.entries()]
    .filter(([id]) => !ids || ids.includes(id))
    .filter(([, f]) =>
      evaluateSegment(condition, f, now, {
        emailMarketingDefault: emailDefault,
        scores: builtInCatalogue,
      }),
    )
    .map(([id]) => id)
    .sort();
}

function difference(sqlIds: string[], evaluated: string[]) {
  const inSql = new Set(sqlIds);
  const inEvaluator = new Set(evaluated);
  return [
    ...sqlIds.filter((id) => !inEvaluator.has(id)).map((id) => `${id} (SQL only)`),
    ...evaluated.filter((id) => !inSql.has(id)).map((id) => `${id} (evaluator only)`),
  ];
}

interface Mismatch {
  index: number;
  condition: SegmentCondition;
  customers: string[];
}

async function compare(conditions: SegmentCondition[], random: Random) {
  const mismatches: Mismatch[] = [];
  let members = 0;
  for (const [index, condition] of conditions.entries()) {
    const emailDefault = random.pick<Default>(['opted_in', 'opted_out']);
    // Both shapes of the SQL, for a few customers and for the whole table, on every other one.
    const population = index % 2 === 0 ? 'all' : 'few';
    const sqlIds = await sqlMembers(condition, NOW, emailDefault, undefined, population);
    const evaluated = evaluatedMembers(condition, NOW, emailDefault);
    members += evaluated.length;
    const differ = difference(sqlIds, evaluated);
    if (differ.length > 0) mismatches.push({ index, condition, customers: differ.slice(0, 3) });
  }
  return { mismatches, members };
}

function report(mismatches: Mismatch[]): string {
  const shown = mismatches.slice(0, 3).map((m) => {
    const id = m.customers[0]?.split(' ')[0] ?? '';
    return `#${m.index} ${JSON.stringify(m.condition)}\n  differ: ${m.customers.join(', ')}\n  facts of ${id}: ${JSON.stringify(
      { ...facts.get(id), segments: [...(facts.get(id)?.segments ?? [])] },
    )}`;
  });
  return `seed ${SEED}: ${mismatches.length} definitions disagree\n${shown.join('\n')}`;
}

it('agrees on every kind of leaf condition', async () => {
  const random = new Random(SEED + 1);
  const conditions = Array.from({ length: 300 }, (_, i) => parsed(randomLeaf(random, i)));
  const { mismatches, members } = await compare(conditions, random);
  if (mismatches.length > 0) throw new Error(report(mismatches));
  // Not a vacuous agreement: the definitions pick members, and not everyone.
  expect(members).toBeGreaterThan(conditions.length * 100);
  expect(members).toBeLessThan(conditions.length * CUSTOMERS * 0.9);
});

it('agrees on nested definitions with all, any and not', async () => {
  const random = new Random(SEED + 2);
  const conditions = Array.from({ length: 150 }, () => parsed(randomCondition(random, 3)));
  const { mismatches } = await compare(conditions, random);
  if (mismatches.length > 0) throw new Error(report(mismatches));
});

it('agrees when the predicate is narrowed to a few customers (live evaluation)', async () => {
  const random = new Random(SEED + 3);
  for (let i = 0; i < 60; i += 1) {
    const condition = parsed(randomCondition(random, 2));
    const ids = Array.from({ length: 5 }, () => random.pick(world.customers).id);
    const now = NOW + random.int(-10, 10) * 86_400_000;
    const sqlIds = await sqlMembers(condition, now, 'opted_out', ids);
    const evaluated = evaluatedMembers(condition, now, 'opted_out', ids);
    if (difference(sqlIds, evaluated).length > 0) {
      throw new Error(
        `seed ${SEED}: ${JSON.stringify(condition)} at ${now}: ${difference(sqlIds, evaluated).join(', ')}`,
      );
    }
  }
});
