/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { events, segmentMemberships, segments, segmentVersions } from '../../src/db/schema';
import { auth, createHarness, type Harness } from './harness';

/**
 * Segment definitions and member lists come from outside: whatever arrives, the answer is a 2xx
 * or a 4xx whose issues name fields, never a 5xx, and a refused request stores nothing.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  await h.inject({ method: 'PUT', url: '/v1/customers/ann', headers: auth, payload: {} });
  await h.inject({
    method: 'POST',
    url: '/v1/segments',
    headers: auth,
    payload: { id: 'fuzz_manual', name: 'Manual', kind: 'manual' },
  });
});
afterAll(async () => h.close());

const rows = async () => ({
  segments: (await h.db.db.select({ n: count() }).from(segments))[0]?.n,
  versions: (await h.db.db.select({ n: count() }).from(segmentVersions))[0]?.n,
  members: (await h.db.db.select({ n: count() }).from(segmentMemberships))[0]?.n,
  events: (await h.db.db.select({ n: count() }).from(events))[0]?.n,
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
  }
  return res.statusCode;
}

const loose = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('30d', '30', '2h', 'purchase', 'gte', 'email', 'fuzz_manual', 'nope', -1, 0, 3),
);
const window = fc.oneof(fc.constantFrom('30d', '90m', '0d', '30', 'd', '99999999d'), loose);
const comparison = fc.record(
  {
    field: fc.oneof(fc.constantFrom('lifetime_value', 'plan.tier', '', '__proto__'), loose),
    property: fc.oneof(fc.constantFrom('total', 'category'), loose),
    op: fc.oneof(fc.constantFrom('eq', 'gte', 'in', 'exists', 'within', 'bogus'), loose),
    value: loose,
  },
  { requiredKeys: [] },
);
const leaf = fc.oneof(
  fc.record({ profile: comparison }),
  fc.record({
    performed: fc.record(
      {
        event: fc.oneof(fc.constant('purchase'), loose),
        within: window,
        count: fc.oneof(
          fc.record({ atLeast: loose }),
          fc.record({ atMost: loose, exactly: loose }),
        ),
        where: fc.oneof(fc.array(comparison, { maxLength: 2 }), loose),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ notPerformed: fc.record({ event: loose, within: window }, { requiredKeys: [] }) }),
  fc.record({
    aggregate: fc.record(
      {
        event: loose,
        property: loose,
        fn: fc.constantFrom('sum', 'avg', 'median'),
        op: loose,
        value: loose,
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ engaged: fc.record({ within: window, action: loose }, { requiredKeys: [] }) }),
  fc.record({ inSegment: fc.record({ segment: fc.oneof(fc.constant('fuzz_manual'), loose) }) }),
  fc.record({ reachable: fc.record({ channel: loose }) }),
  loose,
);
const condition = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ all: fc.array(tie('node'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('node'), { maxLength: 3 }) }),
    fc.record({ not: tie('node') }),
  ),
})).node;

describe('segment routes under random input', () => {
  it('POST /v1/segments', async () => {
    const definition = fc.record(
      {
        id: fc.oneof(fc.constantFrom('fuzzed', 'fuzz_manual', 'Bad-Id'), loose),
        name: fc.oneof(fc.constant('Fuzzed'), loose),
        kind: fc.oneof(fc.constantFrom('rule', 'manual'), loose),
        where: condition,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(definition, async (payload) => {
        await expectSafe('POST', '/v1/segments', payload);
      }),
      { numRuns: 150 },
    );
  });

  it('POST /v1/segments/:id/members', async () => {
    const ids = fc.oneof(fc.array(fc.oneof(fc.constantFrom('ann', 'ghost', ''), loose)), loose);
    const body = fc.oneof(fc.record({ add: ids, remove: ids }, { requiredKeys: [] }), loose);
    const segment = fc.constantFrom('fuzz_manual', 'fuzzed', 'nope', 'Bad-Id');
    await fc.assert(
      fc.asyncProperty(segment, body, async (id, payload) => {
        await expectSafe('POST', `/v1/segments/${id}/members`, payload);
      }),
      { numRuns: 100 },
    );
  });
});
