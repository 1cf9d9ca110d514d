import fc from 'fast-check';
import { purchaseSource } from '../../src/audience/rfm-recompute';
import { builtInProfileRules } from '../../src/lifecycle/profile-rules';
import {
  DAY_MS,
  quintileOf,
  rankRfm,
  recencyDays,
  rfmScore,
  scoreDefinitionSchema,
  type RfmMeasure,
} from '../../src/scores';

const measure = (customerId: string, recency: number, purchases: number, monetary: number) => ({
  customerId,
  recencyDays: recency,
  purchases,
  monetary,
});

describe('RFM quintiles', () => {
  it('are 1 + ⌊5 × worse / n⌋: five distinct customers get 1 to 5', () => {
    const cells = rankRfm([
      measure('e', 40, 1, 10),
      measure('d', 30, 2, 20),
      measure('c', 20, 3, 30),
      measure('b', 10, 4, 40),
      measure('a', 0, 5, 50),
    ]);
    expect(cells.map((c) => c.cell)).toEqual(['111', '222', '333', '444', '555']);
    expect(cells.map((c) => c.value)).toEqual([3, 6, 9, 12, 15]);
  });

  it('give equal values one quintile, the one their group starts in', () => {
    // Seven one-time buyers and three repeat buyers: F is 1 for the seven, not spread over 1..4.
    const cells = rankRfm([
      ...Array.from({ length: 7 }, (_, i) => measure(`once${i}`, 5, 1, 10)),
      measure('twice', 5, 2, 10),
      measure('thrice-a', 5, 3, 10),
      measure('thrice-b', 5, 3, 10),
    ]);
    expect(cells.map((c) => c.f)).toEqual([1, 1, 1, 1, 1, 1, 1, 4, 5, 5]);
    // Everyone tied on recency and spend: all in the bottom quintile of both.
    expect(new Set(cells.map((c) => `${c.r}${c.m}`))).toEqual(new Set(['11']));
  });

  it('put a lone buyer at 111', () => {
    expect(rankRfm([measure('solo', 0, 9, 1e6)])[0]).toMatchObject({ cell: '111', value: 3 });
  });

  it('are always 1..5, monotone in each measure, and equal for equal measures', () => {
    const measures = fc.array(
      fc.record({
        customerId: fc.uuid(),
        recencyDays: fc.integer({ min: 0, max: 365 }),
        purchases: fc.integer({ min: 1, max: 6 }),
        monetary: fc.integer({ min: 0, max: 8 }).map((n) => n * 25),
      }),
      { minLength: 1, maxLength: 60 },
    );
    fc.assert(
      fc.property(measures, (list: RfmMeasure[]) => {
        const cells = rankRfm(list);
        for (const a of cells) {
          for (const part of ['r', 'f', 'm'] as const) expect(a[part]).toBeGreaterThanOrEqual(1);
          expect(Math.max(a.r, a.f, a.m)).toBeLessThanOrEqual(5);
          for (const b of cells) {
            if (a.recencyDays <= b.recencyDays) expect(a.r).toBeGreaterThanOrEqual(b.r);
            if (a.purchases >= b.purchases) expect(a.f).toBeGreaterThanOrEqual(b.f);
            if (a.monetary >= b.monetary) expect(a.m).toBeGreaterThanOrEqual(b.m);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('count recency in whole days, and quintileOf stays within 1..5', () => {
    const now = Date.UTC(2026, 10, 15, 12);
    expect(recencyDays(now - 1, now)).toBe(0);
    expect(recencyDays(now - DAY_MS, now)).toBe(1);
    expect(recencyDays(now - 2.9 * DAY_MS, now)).toBe(2);
    expect(quintileOf(0, 7)).toBe(1);
    expect(quintileOf(6, 7)).toBe(5);
  });
});

describe('the RFM definition', () => {
  it('reads the purchases the lifetime_value profile rule reads', () => {
    const rule = builtInProfileRules.find((r) => r.attribute === 'lifetime_value');
    expect(rule).toMatchObject({ event: 'purchase', update: { kind: 'add', property: 'total' } });
    expect(purchaseSource()).toEqual({ event: 'purchase', amount: 'total' });
  });

  it('refuses a window that is not whole days from a week to ten years, naming the field', () => {
    for (const window of ['12h', '6d', '3651d', '1y', '0d']) {
      const parsed = scoreDefinitionSchema.safeParse({ ...rfmScore, window });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['window']);
    }
    expect(scoreDefinitionSchema.safeParse({ ...rfmScore, window: '90d' }).success).toBe(true);
  });
});
