/* eslint-disable @typescript-eslint/no-unsafe-assignment -- asymmetric matchers (expect.any) are typed any. */
import fc from 'fast-check';
import { auth, createHarness, welcomeJourney, type Harness, type InjectResponse } from './harness';
import { compatible, pathsOf, splice, type Json, type Mutation, type Splice } from './spliced-json';
import { tableDigest } from './table-digest';

/**
 * Valid journeys, events, batches and profiles with one value replaced and one member added, from
 * what a hostile or broken client sends: 10,000 levels of nesting, NUL bytes, lone surrogates,
 * strings and objects past the limits, 1e400, __proto__, years 0 and 10000. Whatever arrives the
 * answer is never a 5xx; anything the limits forbid is a 400 naming where it was, quoting none of
 * it; and a refused request changes no row. Fixed seed: the same 2,000+ requests on every run.
 */

let h: Harness;
let digest: Record<string, string>;
let requests = 0;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  for (const id of ['ann', 'bob']) {
    await h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload: {} });
  }
  digest = await tableDigest(h.db.db);
});
afterAll(async () => h.close());

const SECRET = 's3cr3t';
const poison = (text: string): Splice => ({ text, poison: true });
const harmless = (text: string): Splice => ({ text, poison: false });
const quoted = (value: string) => JSON.stringify(value);

/** Refused wherever they appear in a body. */
const poisonValues = fc.constantFrom(
  poison('['.repeat(10_000) + ']'.repeat(10_000)),
  poison('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)),
  poison('1e400'),
  poison('-1e400'),
  poison(quoted(`${SECRET}\u0000`)),
  poison(quoted(`\u0000${SECRET}`)),
  poison(`"${SECRET}\\ud800"`),
  poison(`"\\udfff${SECRET}"`),
  poison(quoted(SECRET + 'x'.repeat(100_001))),
  poison(`{${Array.from({ length: 1_001 }, (_, i) => `"p${i}":1`).join(',')}}`),
  poison(`[${Array.from({ length: 10_001 }, () => '0').join(',')}]`),
  poison(`{"__proto__":{"${SECRET}":true}}`),
  poison(`{"nested":{"constructor":{"prototype":{"${SECRET}":true}}}}`),
);

/** Members (name and value) refused wherever they are added. */
const poisonMembers = fc.constantFrom(
  poison(`"\\u0000":"${SECRET}"`),
  poison(`"a\\u0000b":1`),
  poison(`"\\ud800":"${SECRET}"`),
  poison(`"x\\udc00":1`),
  poison(`"${'k'.repeat(257)}":1`),
  poison(`"__proto__":{"${SECRET}":true}`),
  poison(`"constructor":{"prototype":{"${SECRET}":true}}`),
);

/** Timestamps Postgres cannot store: refused where the API reads a timestamp. */
const OUT_OF_RANGE = [
  '0000-01-01T00:00:00Z',
  '10000-01-01T00:00:00Z',
  '+010000-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '0001-01-01T00:30:00+01:00',
  '9999-12-31T23:30:00-01:00',
];
const timestamps = fc.constantFrom(
  ...OUT_OF_RANGE,
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '2026-02-29T00:00:00Z',
  '2026-12-01T10:00:00+01:00',
);

const harmlessValues = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => harmless(JSON.stringify(value) ?? 'null')),
  fc
    .constantFrom('ann', 'ghost', '', ' ', 'Europe/Paris', 'a@b.co', '+14155550100', 'c-9', '2d')
    .map((value) => harmless(quoted(value))),
  timestamps.map((value) => harmless(quoted(value))),
  fc.constantFrom(harmless('1e308'), harmless('-0'), harmless('"\\ud83d\\ude00"')),
);
const harmlessMembers = fc
  .tuple(
    fc.constantFrom('extra', 'cart_id', 'constructor', 'prototype', 'toString', 'a.b', ''),
    harmlessValues,
  )
  .map(([name, value]) => harmless(`${quoted(name)}:${value.text}`));

/** One value replaced, one member added, either, or neither, anywhere in the template. */
function mutations(template: Json): fc.Arbitrary<Mutation> {
  const { values, objects } = pathsOf(template);
  const value = fc.record({
    at: fc.constantFrom(...values),
    splice: fc.oneof(poisonValues, harmlessValues),
  });
  const member = fc.record({
    in: fc.constantFrom(...objects),
    splice: fc.oneof(poisonMembers, harmlessMembers),
  });
  return fc
    .record({
      value: fc.option(value, { nil: undefined }),
      member: fc.option(member, { nil: undefined }),
    })
    .map(({ value: v, member: m }) => ({ ...(v ? { value: v } : {}), ...(m ? { member: m } : {}) }))
    .filter(compatible);
}

interface ApiErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

interface Expectations {
  /** The path of the timestamp field the mutation may have replaced. */
  timestampAt?: string;
  /** The URL alone must be refused. */
  badUrl?: boolean;
}

/** Sends one body; checks the answer against what the mutation put in it. */
async function expectSafe(
  method: string,
  url: string,
  template: Json,
  mutation: Mutation,
  { timestampAt, badUrl = false }: Expectations = {},
) {
  requests += 1;
  const res = await h.inject({ method, url, headers: auth, payload: splice(template, mutation) });
  const before = digest;
  // The next request compares with the tables as they are now, even when this one failed.
  digest = await tableDigest(h.db.db);
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode < 400) {
    expect([badUrl, refusalsDue(mutation, timestampAt)]).toEqual([false, []]);
    return;
  }
  expect(digest).toEqual(before);
  const issues = errorIssues(res);
  // A URL the router refuses is answered before the body is read.
  for (const due of badUrl ? [] : refusalsDue(mutation, timestampAt)) {
    expect(res.statusCode).toBe(400);
    expect(issues).toContainEqual(expect.stringMatching(due));
  }
}

/** The issue paths a refusal must include, as patterns. */
function refusalsDue(mutation: Mutation, timestampAt?: string): RegExp[] {
  const due: RegExp[] = [];
  const { value, member } = mutation;
  const dotted = (path: string[]) => path.join('.').replace(/[.]/g, '\\.');
  if (value?.splice.poison) due.push(new RegExp(`^${dotted(value.at)}`));
  if (member?.splice.poison) due.push(new RegExp(`^${dotted(member.in)}`));
  // The limits are checked before the schema: a body they refuse never reaches the field's check.
  const at = value?.at.join('.');
  const outOfRange = OUT_OF_RANGE.some((t) => value?.splice.text === quoted(t));
  if (due.length === 0 && at !== undefined && at === timestampAt && outOfRange) {
    due.push(new RegExp(`^${dotted(value?.at ?? [])}$`));
  }
  return due;
}

/** The one error shape, quoting nothing that was sent; answers the issue paths. */
function errorIssues(res: InjectResponse): string[] {
  expect(res.body).not.toContain(SECRET);
  const body = res.json() as ApiErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toEqual({
    code: expect.any(String),
    message: expect.any(String),
    ...(body.error.issues ? { issues: expect.any(Array) } : {}),
  });
  for (const issue of body.error.issues ?? []) {
    expect(issue).toEqual({ path: expect.any(String), message: expect.any(String) });
  }
  return (body.error.issues ?? []).map((issue) => issue.path);
}

const SEED = 20_261_201;
let eventCount = 0;
const eventTemplate = (customerId = 'ann'): Json => ({
  id: `fuzz-${(eventCount += 1)}`,
  customerId,
  type: 'cart_abandoned',
  occurredAt: '2026-12-01T10:00:00Z',
  properties: { cart_id: 'c-9', cart_items: [{ name: 'Lamp', price: 39.5 }], note: null },
});

describe('hostile input to the routes that store (fuzzed, fixed seed)', () => {
  it('POST /v1/journeys', async () => {
    const template = welcomeJourney as unknown as Json;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('welcome', 'fuzzed', 'Bad Id'),
        mutations(template),
        async (id, mutation) => {
          await expectSafe('POST', '/v1/journeys', { ...(template as object), id }, mutation);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('POST /v1/journeys with a behavioural trigger (every rule field)', async () => {
    const template = {
      ...(welcomeJourney as object),
      id: 'fuzzed-rule',
      trigger: {
        event: 'product_view',
        where: { conditions: [{ field: 'event.properties.time_on_page', op: 'gte', value: 30 }] },
        count: { atLeast: 3, within: '120m' },
        after: { event: 'email_clicked', within: '15m' },
        vetoedBy: [{ event: 'add_to_cart' }, { event: 'purchase' }],
        delay: '2h',
        expiresAfter: '24h',
        priority: 8,
        maxExecutions: { limit: 2, within: '30d' },
      },
    } as unknown as Json;
    await fc.assert(
      fc.asyncProperty(mutations(template), async (mutation) => {
        await expectSafe('POST', '/v1/journeys', template, mutation);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('POST /v1/events', async () => {
    await fc.assert(
      fc.asyncProperty(mutations(eventTemplate()), async (mutation) => {
        await expectSafe('POST', '/v1/events', eventTemplate(), mutation, {
          timestampAt: 'occurredAt',
        });
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('POST /v1/events/batch', async () => {
    const batch = () => ({ items: [eventTemplate(), eventTemplate('bob')] });
    await fc.assert(
      fc.asyncProperty(mutations(batch()), async (mutation) => {
        const at = mutation.value?.at;
        const timestampAt =
          at?.[0] === 'items' && at[2] === 'occurredAt' ? at.join('.') : undefined;
        await expectSafe('POST', '/v1/events/batch', batch(), mutation, {
          ...(timestampAt ? { timestampAt } : {}),
        });
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('PUT /v1/customers/:id', async () => {
    const template: Json = {
      email: 'ada@example.com',
      phone: '+14155550100',
      timeZone: 'Europe/Berlin',
      locale: 'de-DE',
      attributes: { first_name: 'Ada', plan: 'pro', tags: ['a', 'b'] },
      consent: { email: 'opted_in' },
    };
    const good = ['ann', 'bob', 'new-1'];
    const ids = fc.constantFrom(...good, 'bad id', '%00', 'a%00b', '%ED%A0%80', 'x'.repeat(201));
    await fc.assert(
      fc.asyncProperty(ids, mutations(template), async (id, mutation) => {
        const url = `/v1/customers/${id.includes('%') ? id : encodeURIComponent(id)}`;
        await expectSafe('PUT', url, template, mutation, { badUrl: !good.includes(id) });
      }),
      { seed: SEED, numRuns: 520 },
    );
  });

  it('sent at least 2,000 requests', () => {
    expect(requests).toBeGreaterThanOrEqual(2_000);
  });
});
