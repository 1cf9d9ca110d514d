import {
  applicationsOf,
  attributeChanges,
  builtInProfileRules,
  type RuleEvent,
} from '../../src/lifecycle/profile-rules';

const purchase = (id: string, at: string, total: unknown): RuleEvent => ({
  id,
  customerId: 'ada',
  type: 'purchase',
  occurredAt: Date.parse(at),
  properties: total === undefined ? {} : ({ total } as RuleEvent['properties']),
});

const login = (id: string, at: string): RuleEvent => ({
  id,
  customerId: 'ada',
  type: 'login',
  occurredAt: Date.parse(at),
  properties: {},
});

const fold = (current: Record<string, unknown>, events: RuleEvent[]) =>
  attributeChanges(current as RuleEvent['properties'], applicationsOf(builtInProfileRules, events));

describe('profile update rules', () => {
  it('adds totals, counts orders and keeps the latest purchase time', () => {
    expect(
      fold({}, [
        purchase('p1', '2026-01-02T10:00:00Z', 19.99),
        purchase('p2', '2026-01-01T10:00:00Z', '10.01'),
      ]),
    ).toEqual({
      lifetime_value: 30,
      orders_count: 2,
      last_purchase_at: '2026-01-02T10:00:00.000Z',
    });
  });

  it('builds on the stored values and never moves a latest time back', () => {
    expect(
      fold({ lifetime_value: 100, orders_count: 3, last_purchase_at: '2026-02-01T00:00:00Z' }, [
        purchase('p3', '2026-01-15T00:00:00Z', 0.1),
      ]),
    ).toEqual({ lifetime_value: 100.1, orders_count: 4 });
  });

  it('takes the latest login, replacing a value that is no timestamp', () => {
    expect(
      fold({ last_login: 'yesterday' }, [
        login('l1', '2026-01-01T08:00:00Z'),
        login('l2', '2026-01-03T08:00:00Z'),
        login('l3', '2026-01-02T08:00:00Z'),
      ]),
    ).toEqual({ last_login: '2026-01-03T08:00:00.000Z' });
  });

  it('adds nothing for a missing or non-numeric total, and leaves a non-number it cannot add to', () => {
    expect(fold({}, [purchase('p4', '2026-01-01T00:00:00Z', 'a lot')])).toEqual({
      orders_count: 1,
      last_purchase_at: '2026-01-01T00:00:00.000Z',
    });
    expect(
      fold({ lifetime_value: 'vip', orders_count: '7' }, [
        purchase('p5', '2026-01-01T00:00:00Z', 50),
      ]),
    ).toEqual({ last_purchase_at: '2026-01-01T00:00:00.000Z' });
  });

  it('concerns only the events of its rules', () => {
    const other: RuleEvent = { ...login('x', '2026-01-01T00:00:00Z'), type: 'page_view' };
    expect(applicationsOf(builtInProfileRules, [other])).toEqual([]);
    expect(fold({ lifetime_value: 5 }, [])).toEqual({});
  });
});
