import {
  addContributions,
  DAY_MS,
  engagementScore,
  fallsBelowAt,
  pointsOf,
  scoreAt,
  scoreDefinitionSchema,
} from '../../src/scores';

const T0 = Date.UTC(2026, 10, 1);

describe('pointsOf', () => {
  it('weighs the event type and applies every matching multiplier', () => {
    const view = (price: unknown) => ({ type: 'product_view', properties: { price } as never });
    expect(pointsOf(engagementScore, view(30))).toBe(2);
    expect(pointsOf(engagementScore, view(80))).toBeCloseTo(2.4, 12);
    expect(pointsOf(engagementScore, view('150'))).toBe(3);
    expect(pointsOf(engagementScore, view(100))).toBeCloseTo(2.4, 12);
    const repeat = { type: 'purchase', properties: { is_repeat_customer: true } };
    expect(pointsOf(engagementScore, repeat)).toBeCloseTo(13, 12);
  });

  it('counts nothing for unweighed types, machine opens and bot clicks', () => {
    expect(pointsOf(engagementScore, { type: 'cart_cleared', properties: {} })).toBe(0);
    const open = { type: 'email_opened', properties: {} };
    expect(pointsOf(engagementScore, open)).toBe(1);
    expect(pointsOf(engagementScore, { ...open, flags: { machineOpen: true } })).toBe(0);
    expect(
      pointsOf(engagementScore, { ...open, type: 'email_clicked', flags: { bot: true } }),
    ).toBe(0);
  });
});

describe('stored (value, asOf) decayed when read', () => {
  it('equals Σ w·0.95^days whatever order the events are counted in', () => {
    const events = [
      { points: 10, occurredAt: T0 },
      { points: 3, occurredAt: T0 + 2 * DAY_MS },
      { points: 1, occurredAt: T0 + 5.5 * DAY_MS },
    ];
    const now = T0 + 9 * DAY_MS;
    const byHand = 10 * 0.95 ** 9 + 3 * 0.95 ** 7 + 1 * 0.95 ** 3.5;
    const inOrder = events.reduce(
      (stored, e) => addContributions(engagementScore, stored, [e], now),
      null as ReturnType<typeof addContributions>,
    );
    const outOfOrder = [events[2]!, events[0]!, events[1]!].reduce(
      (stored, e) => addContributions(engagementScore, stored, [e], now),
      null as ReturnType<typeof addContributions>,
    );
    const oneBatch = addContributions(engagementScore, null, events, now);
    for (const stored of [inOrder, outOfOrder, oneBatch]) {
      expect(stored?.asOf).toBe(T0 + 5.5 * DAY_MS);
      expect(scoreAt(engagementScore, stored, now)).toBeCloseTo(byHand, 10);
    }
  });

  it('caps what is read at 100 and keeps the stored sum uncapped', () => {
    const many = Array.from({ length: 30 }, () => ({ points: 10, occurredAt: T0 }));
    const stored = addContributions(engagementScore, null, many, T0);
    expect(stored?.value).toBe(300);
    expect(scoreAt(engagementScore, stored, T0)).toBe(100);
    // 300 × 0.95^d falls under 100 after ln(1/3)/ln(0.95) ≈ 21.4 days.
    expect(scoreAt(engagementScore, stored, T0 + 22 * DAY_MS)).toBeCloseTo(300 * 0.95 ** 22, 10);
  });

  it('counts an event dated in the future from when it is counted, so a read never grows', () => {
    const stored = addContributions(
      engagementScore,
      null,
      [{ points: 5, occurredAt: T0 + DAY_MS }],
      T0,
    );
    expect(stored).toEqual({ value: 5, asOf: T0 });
    expect(scoreAt(engagementScore, stored, T0 - DAY_MS)).toBe(5);
    expect(scoreAt(engagementScore, null, T0)).toBe(0);
  });
});

describe('fallsBelowAt', () => {
  it('is the first millisecond after value × 0.95^days reaches the threshold', () => {
    const stored = { value: 80, asOf: T0 };
    const at = fallsBelowAt(engagementScore, stored, 40);
    // 80 × 0.95^d = 40 at d = ln(½) / ln(0.95) ≈ 13.51 days.
    expect(at! - T0).toBeCloseTo((Math.log(0.5) / Math.log(0.95)) * DAY_MS, -1);
    expect(scoreAt(engagementScore, stored, at! - 1)).toBeGreaterThanOrEqual(40);
    expect(scoreAt(engagementScore, stored, at!)).toBeLessThan(40);
  });

  it('is null when the score never falls past it', () => {
    expect(fallsBelowAt(engagementScore, null, 10)).toBeNull();
    expect(fallsBelowAt(engagementScore, { value: 5, asOf: T0 }, 10)).toBeNull();
    expect(fallsBelowAt(engagementScore, { value: 500, asOf: T0 }, 0)).toBeNull();
    expect(fallsBelowAt(engagementScore, { value: 500, asOf: T0 }, 101)).toBeNull();
    expect(fallsBelowAt({ decayPerDay: 1, cap: 100 }, { value: 50, asOf: T0 }, 10)).toBeNull();
  });
});

describe('score definitions', () => {
  it('ship valid', () => {
    expect(scoreDefinitionSchema.parse(engagementScore)).toEqual(engagementScore);
  });

  it.each([
    [{ ...engagementScore, decayPerDay: 1.5 }, 'decayPerDay'],
    [{ ...engagementScore, weights: {} }, 'weights'],
    [{ ...engagementScore, weights: { 'bad type': 1 } }, 'weights'],
    [
      {
        ...engagementScore,
        multipliers: [
          { event: 'nope', where: [{ property: 'a', op: 'exists', value: true }], factor: 2 },
        ],
      },
      'multipliers.0.event',
    ],
    [{ ...engagementScore, kind: 'nightly' }, 'kind'],
  ])('reject a bad definition naming the path (%#)', (definition, path) => {
    const result = scoreDefinitionSchema.safeParse(definition);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContainEqual(
      expect.stringContaining(path),
    );
  });
});
