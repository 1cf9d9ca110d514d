import { allocateUnits } from '../../src/conversions/allocate';
import {
  ATTRIBUTION_MODELS,
  DAY_MS,
  attributeConversion,
  credit,
  selectTouches,
  type DeliveredMessage,
} from '../../src/conversions/attribution';

const T = Date.parse('2024-06-10T12:00:00Z');
const HOUR = 3_600_000;
const WINDOW = 7 * DAY_MS;

const at = (hoursBefore: number) => T - hoursBefore * HOUR;
const msg = (deliveryId: string, sentHoursBefore: number, clickedHoursBefore?: number) =>
  ({
    deliveryId,
    sentAt: at(sentHoursBefore),
    ...(clickedHoursBefore !== undefined ? { clickedAt: at(clickedHoursBefore) } : {}),
  }) satisfies DeliveredMessage;

const attribute = (messages: DeliveredMessage[], revenue = 0, halfLifeMs?: number) =>
  attributeConversion(messages, { conversionAt: T, windowMs: WINDOW, revenue, halfLifeMs });

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('selectTouches', () => {
  it('takes messages sent inside [T - window, T], both edges included', () => {
    const touches = selectTouches(
      [
        { deliveryId: 'too-old', sentAt: T - WINDOW - 1 },
        { deliveryId: 'window-start', sentAt: T - WINDOW },
        { deliveryId: 'at-conversion', sentAt: T },
        { deliveryId: 'after', sentAt: T + 1 },
      ],
      T,
      WINDOW,
    );
    expect(touches.map((t) => t.deliveryId)).toEqual(['window-start', 'at-conversion']);
  });

  it('uses the click time as the touch time and orders touches by it', () => {
    const touches = selectTouches([msg('a', 50, 1), msg('b', 10, 5)], T, WINDOW);
    expect(touches).toEqual([
      { deliveryId: 'b', sentAt: at(10), at: at(5), clicked: true },
      { deliveryId: 'a', sentAt: at(50), at: at(1), clicked: true },
    ]);
  });

  it('keeps only clicked touches when any message in the window was clicked', () => {
    const touches = selectTouches([msg('opened-only', 2), msg('clicked', 30, 20)], T, WINDOW);
    expect(touches.map((t) => t.deliveryId)).toEqual(['clicked']);
  });

  it('ignores a click after the conversion (and one before the send)', () => {
    const touches = selectTouches(
      [
        { deliveryId: 'late-click', sentAt: at(5), clickedAt: T + 1 },
        { deliveryId: 'odd-click', sentAt: at(4), clickedAt: at(6) },
      ],
      T,
      WINDOW,
    );
    expect(touches).toEqual([
      { deliveryId: 'late-click', sentAt: at(5), at: at(5), clicked: false },
      { deliveryId: 'odd-click', sentAt: at(4), at: at(4), clicked: false },
    ]);
  });

  it('does not let a click rescue a message sent before the window', () => {
    const touches = selectTouches([msg('old', 24 * 8, 1), msg('recent', 3)], T, WINDOW);
    expect(touches.map((t) => t.deliveryId)).toEqual(['recent']);
  });
});

describe('attributeConversion', () => {
  const three = [msg('first', 72), msg('middle', 24), msg('last', 2)];

  it('last_touch credits the latest touch with the whole revenue', () => {
    expect(attribute(three, 90).models.last_touch).toEqual([
      { deliveryId: 'last', weight: 1, revenue: 90 },
    ]);
  });

  it('first_touch credits the earliest touch with the whole revenue', () => {
    expect(attribute(three, 90).models.first_touch).toEqual([
      { deliveryId: 'first', weight: 1, revenue: 90 },
    ]);
  });

  it('linear splits equally; rounding leaves weights summing to 1 and revenue to the total', () => {
    const linear = attribute(three, 100).models.linear;
    expect(linear).toEqual([
      { deliveryId: 'first', weight: 0.333334, revenue: 33.3334 },
      { deliveryId: 'middle', weight: 0.333333, revenue: 33.3333 },
      { deliveryId: 'last', weight: 0.333333, revenue: 33.3333 },
    ]);
    expect(sum(linear.map((c) => c.weight))).toBeCloseTo(1, 12);
    expect(sum(linear.map((c) => c.revenue))).toBeCloseTo(100, 10);
  });

  it('time_decay halves the weight per half-life (7 days by default)', () => {
    const decay = attribute([msg('week-old', 24 * 7), msg('now', 0)], 30).models.time_decay;
    // 2^-1 : 2^0 = 1 : 2
    expect(decay).toEqual([
      { deliveryId: 'week-old', weight: 0.333333, revenue: 10 },
      { deliveryId: 'now', weight: 0.666667, revenue: 20 },
    ]);
  });

  it('time_decay follows 2^(-age/halfLife) with a custom half-life', () => {
    const ages = [0, 12, 36];
    const decay = attribute(
      ages.map((h) => msg(`d${h}`, h)),
      0,
      12 * HOUR,
    ).models.time_decay;
    // Shares 2^-3 : 2^-1 : 2^0 = 1 : 4 : 8 of 13.
    expect(decay.map((c) => c.deliveryId)).toEqual(['d36', 'd12', 'd0']);
    expect(decay.map((c) => c.weight)).toEqual([0.076923, 0.307692, 0.615385]);
    expect(sum(decay.map((c) => c.weight))).toBeCloseTo(1, 12);
  });

  it('breaks ties in touch time by send time, then delivery id', () => {
    const sameClick = [msg('sent-earlier', 10, 1), msg('sent-later', 5, 1)];
    expect(attribute(sameClick).models.last_touch[0]?.deliveryId).toBe('sent-later');
    expect(attribute(sameClick).models.first_touch[0]?.deliveryId).toBe('sent-earlier');
    const identical = [msg('b', 4), msg('a', 4)];
    expect(attribute(identical).models.first_touch[0]?.deliveryId).toBe('a');
    expect(attribute(identical).models.last_touch[0]?.deliveryId).toBe('b');
    expect(attribute(identical).models.linear.map((c) => c.weight)).toEqual([0.5, 0.5]);
  });

  it('credits clicked touches only, under every model', () => {
    const result = attribute([msg('sent-late', 1), msg('clicked', 48, 40)], 50);
    for (const model of ATTRIBUTION_MODELS) {
      expect(result.models[model]).toEqual([{ deliveryId: 'clicked', weight: 1, revenue: 50 }]);
    }
  });

  it('weights of every model add up to exactly 1 for many touches', () => {
    const many = Array.from({ length: 7 }, (_, i) =>
      msg(`m${i}`, i * 13 + 1, i % 2 ? i : undefined),
    );
    const result = attribute(many, 19.99);
    for (const model of ATTRIBUTION_MODELS) {
      const credits = result.models[model];
      const units = sum(credits.map((c) => Math.round(c.weight * 1_000_000)));
      expect(units).toBe(1_000_000);
      expect(Math.round(sum(credits.map((c) => c.revenue)) * 10_000)).toBe(199_900);
      for (const c of credits) expect(c.weight).toBeGreaterThanOrEqual(0);
    }
  });

  it('credits nothing without touches', () => {
    const result = attribute([msg('old', 24 * 30)], 10);
    expect(result.touches).toEqual([]);
    for (const model of ATTRIBUTION_MODELS) expect(result.models[model]).toEqual([]);
  });

  it('refuses a negative revenue, a non-positive window or half-life', () => {
    expect(() => attribute(three, -1)).toThrow('revenue must be a non-negative number');
    expect(() => attributeConversion(three, { conversionAt: T, windowMs: 0, revenue: 0 })).toThrow(
      'windowMs must be a positive number',
    );
    expect(() => attribute(three, 0, 0)).toThrow('halfLifeMs must be a positive number');
  });

  it('credit() of a single model matches the full attribution', () => {
    const touches = selectTouches(three, T, WINDOW);
    expect(credit('linear', touches, { conversionAt: T, revenue: 100 })).toEqual(
      attribute(three, 100).models.linear,
    );
  });
});

describe('allocateUnits', () => {
  it('splits a total by largest remainder, ties to the earlier share', () => {
    expect(allocateUnits(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(allocateUnits(0, [1, 2])).toEqual([0, 0]);
    expect(allocateUnits(7, [0, 1])).toEqual([0, 7]);
    expect(() => allocateUnits(1, [0, 0])).toThrow('positive sum');
  });
});
