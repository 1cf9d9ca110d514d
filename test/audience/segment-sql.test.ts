import { sql } from 'drizzle-orm';
import { isoTextMs } from '../../src/audience/json-values-sql';
import { segmentPredicate } from '../../src/audience/segment-sql';
import {
  customerScores,
  customerTopics,
  customers,
  deviceTokens,
  events,
  segmentMemberships,
  customerLifecycle,
  segments,
  suppressions,
  topics,
} from '../../src/db/schema';
import { asTimestamp } from '../../src/journeys/conditions';
import {
  aggregate,
  all,
  consented,
  engaged,
  eventTime,
  inSegment,
  lifecycleStage,
  not,
  notPerformed,
  performed,
  profile,
  property,
  reachable,
  score,
  subscribed,
} from '../../src/segments/builders';
import { segmentConditionSchema, type SegmentConditionInput } from '../../src/segments/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { builtInCatalogue } from '../../src/scores';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const ago = (days: number) => new Date(NOW - days * DAY);

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await db.insert(topics).values([
    { id: 'newsletter', name: 'News', mode: 'opt_out' },
    { id: 'offers', name: 'Offers', mode: 'opt_in' },
  ]);
  await db.insert(segments).values({ id: 'vip', name: 'VIP', kind: 'manual', activeVersion: 1 });
  await db.insert(customers).values([
    {
      id: 'a',
      email: ' Ada@Example.com ',
      phone: '+14155550001',
      attributes: { ltv: '1200', plan: 'pro', tags: ['vip'], signed_up_at: ago(40).toISOString() },
      consent: { email: 'opted_in', sms: 'opted_in' },
    },
    {
      id: 'b',
      attributes: { ltv: 50, plan: null },
      consent: { email: 'opted_out', sms: 'opted_out', push: 'opted_out' },
    },
    { id: 'c', email: 'c@example.com', attributes: {} },
  ]);
  const event = (id: string, customerId: string, type: string, days: number, extra = {}) => ({
    id,
    customerId,
    type,
    occurredAt: ago(days),
    properties: {},
    ...extra,
  });
  await db
    .insert(events)
    .values([
      event('a1', 'a', 'purchase', 2, { properties: { amount: 40 } }),
      event('a2', 'a', 'purchase', 10, { properties: { amount: '60' } }),
      event('a3', 'a', 'email_opened', 1, { flags: { machineOpen: true } }),
      event('a4', 'a', 'email_clicked', 3),
      event('a5', 'a', 'purchase', -1, { properties: { amount: 1000 } }),
      event('b1', 'b', 'purchase', 45, { properties: { amount: 'n/a' } }),
      event('b2', 'b', 'in_app_read', 5, { flags: { bot: true } }),
    ]);
  await db.insert(deviceTokens).values([
    { token: 'tok_a', customerId: 'a', platform: 'ios' },
    { token: 'tok_b', customerId: 'b', platform: 'android' },
  ]);
  await db.insert(suppressions).values([
    { channel: 'push', address: 'tok_b', reason: 'manual', source: 'api' },
    { channel: 'email', address: 'c@example.com', reason: 'hard_bounce', source: 'smtp' },
  ]);
  await db.insert(customerTopics).values([
    { customerId: 'a', topicId: 'offers', status: 'subscribed' },
    { customerId: 'b', topicId: 'newsletter', status: 'unsubscribed' },
  ]);
  await db.insert(customerLifecycle).values({ customerId: 'b', stage: 'active', since: ago(1) });
  await db.insert(segmentMemberships).values([
    { segmentId: 'vip', customerId: 'a', version: 1, enteredAt: ago(3) },
    { segmentId: 'vip', customerId: 'b', version: 1, enteredAt: ago(9), exitedAt: ago(1) },
  ]);
  // a: 80 stored 2 days ago reads 80 × 0.95² = 72.2; b: 300 now reads the cap, 100; c: a row of
  // another version only, which reads 0.
  const row = (customerId: string, version: number, value: number, days: number) => ({
    customerId,
    scoreId: 'engagement',
    version,
    value,
    asOf: ago(days),
    decayPerDay: 0.95,
  });
  await db
    .insert(customerScores)
    .values([row('a', 1, 80, 2), row('b', 1, 300, 0), row('c', 2, 90, 0)]);
});

afterAll(async () => {
  await database.close();
});

async function members(input: SegmentConditionInput, population: 'few' | 'all') {
  const condition = segmentConditionSchema.parse(input);
  const context = {
    now: new Date(NOW),
    emailMarketingDefault: 'opted_out' as const,
    scores: builtInCatalogue,
    population,
  };
  const rows = await database.db
    .select({ id: customers.id })
    .from(customers)
    .where(segmentPredicate(condition, context));
  return rows.map((row) => row.id).sort();
}

const cases: [string, SegmentConditionInput, string[]][] = [
  ['profile numeric string', profile('ltv', 'gte', 1000), ['a']],
  ['profile missing never passes ne', profile('plan', 'ne', 'pro'), ['b']],
  ['profile exists false on missing and null', profile('plan', 'exists', false), ['b', 'c']],
  ['profile contains in an array', profile('tags', 'contains', 'vip'), ['a']],
  ['profile older_than', profile('signed_up_at', 'older_than', '30d'), ['a']],
  ['profile built-in', profile('hasEmail', 'eq', true), ['a', 'c']],
  ['profile last engagement', profile('last_engaged_at', 'within', '7d'), ['a', 'b']],
  ['not of a missing field', not(profile('age', 'gt', 1)), ['a', 'b', 'c']],
  ['performed in a window', performed('purchase', { within: '30d' }), ['a']],
  ['performed counted', performed('purchase', { count: { atLeast: 2 } }), ['a']],
  ['performed at most', performed('purchase', { count: { atMost: 1 } }), ['b', 'c']],
  ['performed where', performed('purchase', { where: [property('amount', 'gt', 50)] }), ['a']],
  ['notPerformed', notPerformed('purchase', { within: '30d' }), ['b', 'c']],
  [
    'eventTime first older_than',
    eventTime('purchase', { which: 'first', op: 'older_than', value: '7d' }),
    ['a', 'b'],
  ],
  [
    'eventTime last within',
    eventTime('purchase', { which: 'last', op: 'within', value: '7d' }),
    ['a'],
  ],
  [
    'aggregate sum (nothing sums to 0)',
    aggregate('purchase', { property: 'amount', fn: 'sum', op: 'lt', value: 50 }),
    ['b', 'c'],
  ],
  [
    'aggregate avg (nothing is missing)',
    aggregate('purchase', { property: 'amount', fn: 'avg', op: 'eq', value: 50 }),
    ['a'],
  ],
  ['engaged leaves machine opens and bots out', engaged({ within: '30d' }), ['a']],
  ['engaged opened', engaged({ action: 'opened', within: '30d' }), []],
  ['reachable email (trimmed, lower-cased)', reachable('email'), ['a']],
  ['reachable sms', reachable('sms'), ['a']],
  ['reachable push', reachable('push'), ['a']],
  ['consented email with the default', consented('email'), ['a']],
  ['consented in-app marketing', consented('in_app'), ['a', 'c']],
  ['consented sms transactional', consented('sms', 'transactional'), ['a', 'c']],
  ['subscribed opt_out topic', subscribed('newsletter'), ['a', 'c']],
  ['subscribed opt_in topic', subscribed('offers'), ['a']],
  ['subscribed unknown topic', subscribed('ghost'), []],
  ['inSegment, current members only', inSegment('vip'), ['a']],
  ['score decayed since as_of', score('engagement', 'gt', 72.19), ['a', 'b']],
  ['score decayed below its stored value', score('engagement', 'lt', 72.21), ['a', 'c']],
  ['score capped', score('engagement', 'eq', 100), ['b']],
  ['score of nothing stored (or another version) is 0', score('engagement', 'eq', 0), ['c']],
  ['all', all(inSegment('vip'), performed('purchase', { within: '3d' })), ['a']],
  ['lifecycleStage, the stored stage', lifecycleStage('active'), ['b']],
  ['lifecycleStage, no row is no stage', not(lifecycleStage('active')), ['a', 'c']],
  ['profile lifecycle_stage', profile('lifecycle_stage', 'in', ['active', 'vip']), ['b']],
];

describe.each(['few', 'all'] as const)('for %s customers', (population) => {
  it.each(cases)('%s', async (_, condition, expected) => {
    expect(await members(condition, population)).toEqual(expected);
  });
});

it('reads ISO timestamps exactly as asTimestamp does', async () => {
  const texts = [
    '2024-02-30',
    '2024-13-01',
    '2024-01-00',
    '2024-01-01T24:00',
    '2024-01-01T24:00:00.001Z',
    '2024-01-01T23:60',
    '2024-01-01T10:00+0530',
    '2024-01-01T10:00-05:30',
    '2024-01-01T10:00+24:00',
    '2024-01-01T10:00:00.1239Z',
    '0000-01-01',
    '0000-02-29',
    '1969-12-31T23:59:59.999Z',
    '9999-12-31',
    '2024-01-01T10',
    '2024-1-01',
    ' 2024-01-01',
    '2024-01-01T10:00:00.Z',
  ];
  const rows = await database.db.execute(
    sql`select t, ${isoTextMs(sql`t`)} as ms from unnest(${sql.param(texts)}::text[]) as t`,
  );
  const read = Object.fromEntries(
    (rows as { t: string; ms: number | null }[]).map((r) => [r.t, r.ms]),
  );
  expect(read).toEqual(Object.fromEntries(texts.map((t) => [t, asTimestamp(t)])));
});

it('binds every value and path as a parameter', () => {
  const hostile = "x'); drop table customers; --";
  const condition = segmentConditionSchema.parse(
    all(
      profile('address.city', 'eq', hostile),
      performed('purchase', { where: [property('note', 'contains', hostile)] }),
    ),
  );
  const query = database.db
    .select({ id: customers.id })
    .from(customers)
    .where(
      segmentPredicate(condition, {
        now: new Date(NOW),
        emailMarketingDefault: 'opted_in',
        scores: builtInCatalogue,
      }),
    )
    .toSQL();
  expect(query.sql).not.toContain('drop');
  expect(query.sql).not.toContain('city');
  expect(query.params).toEqual(expect.arrayContaining([hostile, ['address', 'city'], ['note']]));
});
