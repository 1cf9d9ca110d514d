import { builtInCatalogue } from '../../src/scores';
import {
  aggregate,
  all,
  any,
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
  subscribed,
} from '../../src/segments/builders';
import type { CustomerFacts } from '../../src/segments/customer-facts';
import { evaluateSegment } from '../../src/segments/evaluate';
import { segmentConditionSchema, type SegmentConditionInput } from '../../src/segments/schema';
import { DAY, NOW, condition, event, facts } from './helpers';
import { checkScores } from '../../src/audience/segment-catalogue';

const matches = (input: SegmentConditionInput, f: CustomerFacts, now = NOW) =>
  evaluateSegment(condition(input), f, now, {
    emailMarketingDefault: 'opted_out',
    scores: builtInCatalogue,
  });

describe('profile', () => {
  const f = facts({
    profile: {
      id: 'c1',
      timeZone: null,
      hasEmail: true,
      consent: { email: 'opted_in' },
      ltv: '1200',
      plan: null,
      tags: ['vip', 2],
      signed_up_at: new Date(NOW - 40 * DAY).toISOString(),
      address: { city: 'Paris' },
    },
  });

  it('compares with the journey operators, numeric strings as numbers', () => {
    expect(matches(profile('ltv', 'gte', 1000), f)).toBe(true);
    expect(matches(profile('ltv', 'eq', 1200), f)).toBe(true);
    expect(matches(profile('ltv', 'eq', '1200.0'), f)).toBe(false);
    expect(matches(profile('tags', 'contains', '2'), f)).toBe(true);
    expect(matches(profile('address.city', 'in', ['Lyon', 'Paris']), f)).toBe(true);
    expect(matches(profile('consent.email', 'eq', 'opted_in'), f)).toBe(true);
    expect(matches(profile('signed_up_at', 'older_than', '30d'), f)).toBe(true);
    expect(matches(profile('signed_up_at', 'within', '30d'), f)).toBe(false);
  });

  it('never passes on a missing field, except exists: false; null is a value', () => {
    expect(matches(profile('age', 'ne', 3), f)).toBe(false);
    expect(matches(profile('age', 'not_in', [3]), f)).toBe(false);
    expect(matches(profile('age', 'exists', false), f)).toBe(true);
    expect(matches(profile('plan', 'ne', 'pro'), f)).toBe(true);
    expect(matches(profile('plan', 'exists', true), f)).toBe(false);
    expect(matches(not(profile('age', 'eq', 3)), f)).toBe(true);
  });
});

describe('events', () => {
  const f = facts({
    events: [
      event('purchase', 2, { amount: 40, sku: 'a' }),
      event('purchase', 10, { amount: '60', sku: 'b' }),
      event('purchase', 45, { amount: 'n/a' }),
      event('purchase', -1, { amount: 1000 }), // in the future: never counts
      event('email_opened', 1, {}, { machineOpen: true }),
      event('email_clicked', 3),
      event('push_opened', 5, {}, { bot: true }),
      event('in_app_read', 6),
    ],
  });

  it('performed counts matching events inside the window (whole history without one)', () => {
    expect(matches(performed('purchase', { within: '7d' }), f)).toBe(true);
    expect(matches(performed('purchase', { count: { exactly: 2 }, within: '30d' }), f)).toBe(true);
    expect(matches(performed('purchase', { count: { atLeast: 3 } }), f)).toBe(true);
    expect(matches(performed('purchase', { count: { atLeast: 4 } }), f)).toBe(false);
    expect(
      matches(performed('purchase', { where: [property('amount', 'gt', 50)], within: '30d' }), f),
    ).toBe(true);
    expect(matches(performed('purchase', { where: [property('sku', 'eq', 'c')] }), f)).toBe(false);
  });

  it('a window is (now - within, now]: an event exactly `within` ago is out', () => {
    const edge = facts({ events: [event('signup', 30)] });
    expect(matches(performed('signup', { within: '30d' }), edge)).toBe(false);
    expect(matches(performed('signup', { within: '30d' }), edge, NOW - 1)).toBe(true);
  });

  it('notPerformed is a count of zero', () => {
    expect(matches(notPerformed('purchase', { within: '1d' }), f)).toBe(true);
    expect(matches(notPerformed('purchase', { within: '3d' }), f)).toBe(false);
    expect(matches(notPerformed('refund'), f)).toBe(true);
  });

  it('eventTime reads the first or last matching event; none is missing', () => {
    expect(
      matches(eventTime('purchase', { which: 'first', op: 'older_than', value: '30d' }), f),
    ).toBe(true);
    expect(matches(eventTime('purchase', { which: 'last', op: 'within', value: '3d' }), f)).toBe(
      true,
    );
    expect(matches(eventTime('purchase', { which: 'last', op: 'within', value: '1d' }), f)).toBe(
      false,
    );
    expect(matches(eventTime('refund', { which: 'last', op: 'older_than', value: '1d' }), f)).toBe(
      false,
    );
  });

  it('aggregate reads numbers and numeric strings; sum of nothing is 0, avg of nothing missing', () => {
    expect(
      matches(aggregate('purchase', { property: 'amount', fn: 'sum', op: 'eq', value: 100 }), f),
    ).toBe(true);
    expect(
      matches(aggregate('purchase', { property: 'amount', fn: 'avg', op: 'eq', value: 50 }), f),
    ).toBe(true);
    expect(
      matches(
        aggregate('purchase', { property: 'amount', fn: 'max', within: '7d', op: 'eq', value: 40 }),
        f,
      ),
    ).toBe(true);
    expect(
      matches(aggregate('refund', { property: 'amount', fn: 'sum', op: 'eq', value: 0 }), f),
    ).toBe(true);
    expect(
      matches(aggregate('refund', { property: 'amount', fn: 'avg', op: 'lt', value: 1 }), f),
    ).toBe(false);
    expect(
      matches(not(aggregate('refund', { property: 'amount', fn: 'min', op: 'lt', value: 1 })), f),
    ).toBe(true);
  });

  it('engaged counts human opens and clicks of the action and channel', () => {
    expect(matches(engaged({ within: '30d', count: { exactly: 2 } }), f)).toBe(true);
    expect(matches(engaged({ action: 'opened', within: '30d' }), f)).toBe(true); // the in-app read
    expect(matches(engaged({ action: 'opened', channel: 'email', within: '30d' }), f)).toBe(false);
    expect(matches(engaged({ action: 'clicked', channel: 'email', within: '7d' }), f)).toBe(true);
    expect(matches(engaged({ channel: 'push', within: '30d' }), f)).toBe(false);
    expect(
      matches(
        engaged({ action: 'opened', channel: 'sms', within: '30d', count: { atMost: 0 } }),
        f,
      ),
    ).toBe(true);
  });
});

describe('channels, topics and segments', () => {
  it('reachable: an address present and not suppressed; push: one token not suppressed', () => {
    expect(matches(reachable('email'), facts())).toBe(true);
    expect(matches(reachable('email'), facts({ email: { present: true, suppressed: true } }))).toBe(
      false,
    );
    expect(matches(reachable('sms'), facts())).toBe(false);
    const tokens = [{ suppressed: true }, { suppressed: false }];
    expect(matches(reachable('push'), facts({ pushTokens: tokens }))).toBe(true);
    expect(matches(reachable('push'), facts({ pushTokens: [{ suppressed: true }] }))).toBe(false);
  });

  it('consented follows the consent rules with the deployment default', () => {
    expect(matches(consented('email'), facts())).toBe(false);
    expect(
      evaluateSegment(condition(consented('email')), facts(), NOW, {
        emailMarketingDefault: 'opted_in',
        scores: builtInCatalogue,
      }),
    ).toBe(true);
    expect(matches(consented('sms', 'transactional'), facts())).toBe(true);
    expect(matches(consented('sms'), facts())).toBe(false);
    const everywhereOut = facts({
      consent: { email: 'opted_out', sms: 'opted_out', push: 'opted_out' },
    });
    expect(matches(consented('in_app'), everywhereOut)).toBe(false);
    expect(matches(consented('in_app', 'transactional'), everywhereOut)).toBe(true);
  });

  it('subscribed reads the topic mode and choice; an unknown topic is not subscribed', () => {
    const f = facts({
      topics: { news: { mode: 'opt_out', choice: null }, offers: { mode: 'opt_in', choice: null } },
    });
    expect(matches(subscribed('news'), f)).toBe(true);
    expect(matches(subscribed('offers'), f)).toBe(false);
    expect(matches(subscribed('ghost'), f)).toBe(false);
  });

  it('inSegment reads the current memberships; all, any and not combine', () => {
    const f = facts({ segments: new Set(['vip']) });
    expect(matches(inSegment('vip'), f)).toBe(true);
    expect(matches(all(inSegment('vip'), inSegment('churn')), f)).toBe(false);
    expect(matches(any(inSegment('churn'), inSegment('vip')), f)).toBe(true);
    expect(matches(not(inSegment('churn')), f)).toBe(true);
  });

  it('lifecycleStage reads the stored stage; none is no stage', () => {
    expect(matches(lifecycleStage('active'), facts({ lifecycleStage: 'active' }))).toBe(true);
    expect(matches(lifecycleStage('active'), facts({ lifecycleStage: 'vip' }))).toBe(false);
    expect(matches(not(lifecycleStage('active')), facts())).toBe(true);
  });
});

it('ignores events after now everywhere', () => {
  const f = facts({ events: [event('purchase', -0.5, { amount: 5 })] });
  expect(matches(performed('purchase'), f)).toBe(false);
  expect(matches(performed('purchase'), f, NOW + DAY)).toBe(true);
});

describe('score', () => {
  const at = (value: number, daysAgo: number) => ({
    engagement: { value, asOf: NOW - daysAgo * DAY },
  });
  const passes = (input: Parameters<typeof condition>[0], f = facts()) =>
    evaluateSegment(condition(input), f, NOW, {
      emailMarketingDefault: 'opted_out',
      scores: builtInCatalogue,
    });

  it('reads the stored sum decayed by 0.95 a day since as_of, capped at 100', () => {
    const decayed = facts({ scores: at(80, 2) });
    expect(passes({ score: { score: 'engagement', op: 'gt', value: 72.19 } }, decayed)).toBe(true);
    expect(passes({ score: { score: 'engagement', op: 'gte', value: 72.21 } }, decayed)).toBe(
      false,
    );
    const capped = facts({ scores: at(300, 0) });
    expect(passes({ score: { score: 'engagement', op: 'eq', value: 100 } }, capped)).toBe(true);
  });

  it('reads 0 when nothing is stored, and never grows before as_of', () => {
    expect(passes({ score: { score: 'engagement', op: 'eq', value: 0 } })).toBe(true);
    const future = facts({ scores: at(40, -3) });
    expect(passes({ score: { score: 'engagement', op: 'eq', value: 40 } }, future)).toBe(true);
  });

  it('reads an RFM score as stored (no decay); with none stored it is missing and never passes', () => {
    const rfm = facts({ scores: { rfm: { value: 13, asOf: NOW - 30 * DAY } } });
    expect(passes({ score: { score: 'rfm', op: 'eq', value: 13 } }, rfm)).toBe(true);
    expect(passes({ score: { score: 'rfm', op: 'gt', value: 13 } }, rfm)).toBe(false);
    for (const op of ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const) {
      expect(passes({ score: { score: 'rfm', op, value: 0 } })).toBe(false);
    }
    expect(passes({ not: { score: { score: 'rfm', op: 'gte', value: 3 } } })).toBe(true);
  });

  it('admits stored scores of the catalogue only (decaying and RFM), naming the field', () => {
    for (const id of ['data_quality', 'nope']) {
      const parsed = segmentConditionSchema.parse({
        all: [
          { profile: { field: 'plan', op: 'exists', value: true } },
          { score: { score: id, op: 'gt', value: 1 } },
        ],
      });
      // Which scores exist is the catalogue's: checked when a segment is published.
      let refused: unknown;
      try {
        checkScores(parsed, builtInCatalogue);
      } catch (error) {
        refused = error;
      }
      expect(refused).toMatchObject({ path: 'where.all.1.score.score' });
    }
    const engagement = segmentConditionSchema.parse({
      score: { score: 'engagement', op: 'gt', value: 1 },
    });
    expect(() => checkScores(engagement, builtInCatalogue)).not.toThrow();
  });
});
