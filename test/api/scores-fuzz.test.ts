/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON; the assertions check the shape. */
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { scoreDefinitions, scoreVersions } from '../../src/db/schema';
import { auth, createHarness, type Harness } from './harness';

/**
 * Score definitions come from outside: whatever arrives, the answer is a 2xx or a 4xx whose
 * issues name fields, never a 5xx, and a refused request stores nothing. A 201 is a version
 * the catalogue reads back as published.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
});
afterAll(async () => h.close());

const rows = async () => ({
  scores: (await h.db.db.select({ n: count() }).from(scoreDefinitions))[0]?.n,
  versions: (await h.db.db.select({ n: count() }).from(scoreVersions))[0]?.n,
});

async function expectSafe(method: string, url: string, payload: unknown): Promise<number> {
  const before = await rows();
  const res = await h.inject({ method, url, headers: auth, payload: JSON.stringify(payload) });
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const error = res.json().error;
    expect(error.code).toEqual(expect.any(String));
    for (const issue of error.issues ?? []) expect(issue.path).toEqual(expect.any(String));
    expect(await rows()).toEqual(before);
  } else {
    const { id, version } = res.json();
    const read = await h.inject({ url: `/v1/scores/${id}`, headers: auth });
    expect(read.json().versions.at(-1)).toMatchObject({ version });
  }
  return res.statusCode;
}

const loose = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('purchase', 'product_viewed', 'gte', '365d', 'fuzzed', -1, 0, 0.5, 1, 2),
);
const eventType = fc.oneof(
  fc.constantFrom('purchase', 'page_view', 'product_viewed', 'order_completed', '', '9lives'),
  loose,
);
const condition = fc.record(
  {
    property: fc.oneof(fc.constantFrom('price', 'item.price', '', '__proto__'), loose),
    op: fc.oneof(fc.constantFrom('eq', 'gt', 'in', 'exists', 'within', 'bogus'), loose),
    value: loose,
  },
  { requiredKeys: [] },
);
const multiplier = fc.record(
  {
    event: eventType,
    where: fc.oneof(fc.array(condition, { maxLength: 2 }), loose),
    factor: fc.oneof(fc.constantFrom(1.5, 0, -1, 101), loose),
  },
  { requiredKeys: [] },
);
const weights = fc.oneof(
  fc.dictionary(
    eventType.filter((t): t is string => typeof t === 'string'),
    loose,
    {
      maxKeys: 3,
    },
  ),
  fc.constant({ purchase: 10, page_view: 1 }),
  loose,
);

describe('score routes under random input', () => {
  it('POST /v1/scores', async () => {
    const definition = fc.record(
      {
        id: fc.oneof(fc.constantFrom('fuzzed', 'engagement', 'rfm', 'Bad-Id'), loose),
        name: fc.oneof(fc.constant('Fuzzed'), loose),
        description: fc.oneof(fc.constant(''), loose),
        kind: fc.oneof(fc.constantFrom('decaying', 'profile_quality', 'rfm'), loose),
        weights,
        multipliers: fc.oneof(fc.array(multiplier, { maxLength: 2 }), loose),
        decayPerDay: fc.oneof(fc.constantFrom(0.95, 1, 0, 1.5), loose),
        cap: fc.oneof(fc.constantFrom(100, 0, -5), loose),
        requiredFields: fc.oneof(fc.constant(['first_name']), loose),
        window: fc.oneof(fc.constantFrom('365d', '3d', '30'), loose),
        version: fc.oneof(fc.constant(1), loose),
      },
      { requiredKeys: [] },
    );
    // A valid definition with one field changed or left out, so deep paths are reached too.
    const valid = {
      id: 'fuzzed',
      name: 'Fuzzed',
      description: '',
      kind: 'decaying',
      weights: { purchase: 10, page_view: 1 },
      multipliers: [
        { event: 'purchase', where: [{ property: 'price', op: 'gt', value: 5 }], factor: 2 },
      ],
      decayPerDay: 0.95,
      cap: 100,
    };
    const nearlyValid = fc
      .tuple(
        fc.constantFrom(...Object.keys(valid)),
        fc.option(fc.oneof(loose, weights, fc.array(multiplier, { maxLength: 2 }))),
      )
      .map(([key, value]) => {
        const copy: Record<string, unknown> = { ...valid };
        if (value === null) delete copy[key];
        else copy[key] = value;
        return copy;
      });
    await fc.assert(
      fc.asyncProperty(fc.oneof(definition, nearlyValid, fc.constant(valid)), async (payload) => {
        await expectSafe('POST', '/v1/scores', payload);
      }),
      { numRuns: 200 },
    );
  });

  it('GET /v1/scores/:id', async () => {
    const id = fc.oneof(
      fc.constantFrom('engagement', 'nope', 'Bad-Id', '%00', 'a'.repeat(80)),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(id, async (raw) => {
        const res = await h.inject({ url: `/v1/scores/${encodeURIComponent(raw)}`, headers: auth });
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.json().error.code).toEqual(expect.any(String));
      }),
      { numRuns: 100 },
    );
  });
});
