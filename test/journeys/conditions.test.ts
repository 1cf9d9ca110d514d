import { evaluateCondition, evaluateConditionGroup } from '../../src/journeys/conditions';
import { resolveField, type FieldScope } from '../../src/journeys/field-paths';
import type { Condition } from '../../src/journeys/schema';
import { DAY, T0, event, profile } from './helpers';

const scope: FieldScope = {
  profile: profile({
    first_name: 'Ada',
    age: 36,
    score: '42',
    plan: 'pro',
    tags: ['vip', 'beta'],
    nickname: null,
    verified: true,
    last_purchase_at: new Date(T0 - 10 * DAY).toISOString(),
    signed_up_ms: T0 - 40 * DAY,
  }),
  trigger: event('cart_abandoned', { cart_id: 'c1', cart_value: 60, items: [{ sku: 'a' }] }),
  context: { cart_id: 'c1' },
};

const check = (condition: Condition) => evaluateCondition(condition, scope, T0);

describe('field paths', () => {
  it('resolves nested paths over every root', () => {
    expect(resolveField('profile.first_name', scope)).toEqual({ missing: false, value: 'Ada' });
    expect(resolveField('trigger.properties.cart_id', scope)).toEqual({
      missing: false,
      value: 'c1',
    });
    expect(resolveField('trigger.properties.items.0.sku', scope)).toEqual({
      missing: false,
      value: 'a',
    });
    expect(resolveField('context.cart_id', scope)).toEqual({ missing: false, value: 'c1' });
  });

  it('distinguishes a missing field from a null one', () => {
    expect(resolveField('profile.nickname', scope)).toEqual({ missing: false, value: null });
    expect(resolveField('profile.unknown', scope)).toEqual({ missing: true, value: undefined });
    expect(resolveField('event.properties.x', scope).missing).toBe(true);
    expect(resolveField('profile.first_name.deeper', scope).missing).toBe(true);
  });

  it('does not read inherited properties', () => {
    expect(resolveField('profile.constructor', scope).missing).toBe(true);
    expect(resolveField('profile.tags.length', scope).missing).toBe(true);
  });

  it('rejects paths with an unknown root', () => {
    expect(() => resolveField('customer.name', scope)).toThrow(
      'invalid field path "customer.name"',
    );
  });
});

describe('operators', () => {
  it.each<[Condition, boolean]>([
    [{ field: 'profile.plan', op: 'eq', value: 'pro' }, true],
    [{ field: 'profile.plan', op: 'eq', value: 'free' }, false],
    [{ field: 'profile.plan', op: 'ne', value: 'free' }, true],
    [{ field: 'profile.plan', op: 'ne', value: 'pro' }, false],
    [{ field: 'profile.age', op: 'gt', value: 35 }, true],
    [{ field: 'profile.age', op: 'gt', value: 36 }, false],
    [{ field: 'profile.age', op: 'gte', value: 36 }, true],
    [{ field: 'profile.age', op: 'lt', value: 37 }, true],
    [{ field: 'profile.age', op: 'lt', value: 36 }, false],
    [{ field: 'profile.age', op: 'lte', value: 36 }, true],
    [{ field: 'profile.first_name', op: 'contains', value: 'd' }, true],
    [{ field: 'profile.first_name', op: 'contains', value: 'x' }, false],
    [{ field: 'profile.tags', op: 'contains', value: 'vip' }, true],
    [{ field: 'profile.tags', op: 'contains', value: 'vi' }, false],
    [{ field: 'profile.plan', op: 'in', value: ['free', 'pro'] }, true],
    [{ field: 'profile.plan', op: 'in', value: ['free'] }, false],
    [{ field: 'profile.plan', op: 'not_in', value: ['free'] }, true],
    [{ field: 'profile.plan', op: 'not_in', value: ['pro'] }, false],
    [{ field: 'profile.plan', op: 'exists', value: true }, true],
    [{ field: 'profile.plan', op: 'exists', value: false }, false],
    [{ field: 'profile.last_purchase_at', op: 'within', value: '30d' }, true],
    [{ field: 'profile.last_purchase_at', op: 'within', value: '1w' }, false],
    [{ field: 'profile.last_purchase_at', op: 'older_than', value: '1w' }, true],
    [{ field: 'profile.last_purchase_at', op: 'older_than', value: '30d' }, false],
    [{ field: 'profile.signed_up_ms', op: 'older_than', value: '30d' }, true],
    [{ field: 'profile.signed_up_ms', op: 'within', value: '30d' }, false],
  ])('%j → %s', (condition, passed) => {
    const outcome = check(condition);
    expect(outcome.passed).toBe(passed);
    expect(outcome.missing).toBe(false);
  });

  it('reports field, op, expected and actual', () => {
    expect(check({ field: 'profile.age', op: 'gt', value: 40 })).toEqual({
      field: 'profile.age',
      op: 'gt',
      expected: 40,
      actual: 36,
      missing: false,
      passed: false,
    });
  });
});

describe('missing fields never pass silently', () => {
  const missingField = 'profile.no_such_field';
  it.each<Condition>([
    { field: missingField, op: 'eq', value: 'x' },
    { field: missingField, op: 'ne', value: 'x' },
    { field: missingField, op: 'gt', value: 1 },
    { field: missingField, op: 'gte', value: 1 },
    { field: missingField, op: 'lt', value: 1 },
    { field: missingField, op: 'lte', value: 1 },
    { field: missingField, op: 'contains', value: 'x' },
    { field: missingField, op: 'in', value: ['x'] },
    { field: missingField, op: 'not_in', value: ['x'] },
    { field: missingField, op: 'exists', value: true },
    { field: missingField, op: 'within', value: '1d' },
    { field: missingField, op: 'older_than', value: '1d' },
  ])('%j fails and says missing', (condition) => {
    expect(check(condition)).toMatchObject({ passed: false, missing: true, actual: null });
  });

  it('only exists: false passes on a missing field', () => {
    expect(check({ field: missingField, op: 'exists', value: false })).toMatchObject({
      passed: true,
      missing: true,
    });
  });
});

describe('null, coercion and types', () => {
  it('treats null as a present value that does not exist', () => {
    expect(check({ field: 'profile.nickname', op: 'ne', value: 'x' }).passed).toBe(true);
    expect(check({ field: 'profile.nickname', op: 'eq', value: 'x' }).passed).toBe(false);
    expect(check({ field: 'profile.nickname', op: 'not_in', value: ['x'] }).passed).toBe(true);
    expect(check({ field: 'profile.nickname', op: 'exists', value: true }).passed).toBe(false);
    expect(check({ field: 'profile.nickname', op: 'exists', value: false })).toMatchObject({
      passed: true,
      missing: false,
    });
    expect(check({ field: 'profile.nickname', op: 'gt', value: 0 }).passed).toBe(false);
  });

  it('coerces numeric strings for comparisons and equality', () => {
    expect(check({ field: 'profile.score', op: 'gt', value: 41 }).passed).toBe(true);
    expect(check({ field: 'profile.score', op: 'lte', value: 41 }).passed).toBe(false);
    expect(check({ field: 'profile.score', op: 'eq', value: 42 }).passed).toBe(true);
    expect(check({ field: 'profile.age', op: 'in', value: ['36'] }).passed).toBe(true);
  });

  it('never orders non-numeric values', () => {
    expect(check({ field: 'profile.plan', op: 'gt', value: 'a' }).passed).toBe(false);
    expect(check({ field: 'profile.plan', op: 'lt', value: 'z' }).passed).toBe(false);
    expect(check({ field: 'profile.verified', op: 'gt', value: 0 }).passed).toBe(false);
    expect(check({ field: 'profile.tags', op: 'gte', value: 0 }).passed).toBe(false);
  });

  it('does not coerce booleans', () => {
    expect(check({ field: 'profile.verified', op: 'eq', value: true }).passed).toBe(true);
    expect(check({ field: 'profile.verified', op: 'eq', value: 'true' }).passed).toBe(false);
  });

  it('fails time operators on values that are not timestamps', () => {
    expect(check({ field: 'profile.plan', op: 'within', value: '1d' }).passed).toBe(false);
    expect(check({ field: 'profile.plan', op: 'older_than', value: '1d' }).passed).toBe(false);
  });

  it('reads a zone-less ISO date-time as UTC', () => {
    const local = { profile: profile({ at: '2026-01-04T10:00:00' }) };
    expect(
      evaluateCondition({ field: 'profile.at', op: 'older_than', value: '1d' }, local, T0).passed,
    ).toBe(false);
    expect(
      evaluateCondition({ field: 'profile.at', op: 'within', value: '1d' }, local, T0).passed,
    ).toBe(true);
  });
});

describe('groups', () => {
  const pass: Condition = { field: 'profile.plan', op: 'eq', value: 'pro' };
  const fail: Condition = { field: 'profile.plan', op: 'eq', value: 'free' };

  it('match all needs every condition and evaluates them all', () => {
    const result = evaluateConditionGroup({ match: 'all', conditions: [fail, pass] }, scope, T0);
    expect(result.passed).toBe(false);
    expect(result.outcomes.map((o) => o.passed)).toEqual([false, true]);
  });

  it('match any needs one', () => {
    expect(
      evaluateConditionGroup({ match: 'any', conditions: [fail, pass] }, scope, T0).passed,
    ).toBe(true);
    expect(
      evaluateConditionGroup({ match: 'any', conditions: [fail, fail] }, scope, T0).passed,
    ).toBe(false);
  });
});
