import { DAY_MS, dataQualityScore, qualityLevel, qualityScore } from '../../src/scores';

const NOW = Date.UTC(2026, 11, 1);
const profile = (fields: Record<string, unknown>) =>
  ({ id: 'c1', timeZone: null, hasEmail: false, ...fields }) as never;

describe('the data-quality score of seed S0', () => {
  it('is 1 for an email, a complete and fresh profile, and three sources', () => {
    const facts = {
      profile: profile({ hasEmail: true, first_name: 'Ada', last_name: 'L' }),
      updatedAt: NOW - DAY_MS,
      sources: 3,
    };
    expect(qualityScore(dataQualityScore, facts, NOW)).toBe(1);
    expect(qualityLevel(1)).toBe('high');
  });

  it('scores halves: two of three fields, 8 to 30 days old, two sources', () => {
    const facts = {
      profile: profile({ hasEmail: true, first_name: 'Ada', last_name: '' }),
      updatedAt: NOW - 20 * DAY_MS,
      sources: 2,
    };
    // email 1 + completeness ½ (2/3 ≥ 0.6) + freshness ½ + sources ½ = 2.5 of 4.
    expect(qualityScore(dataQualityScore, facts, NOW)).toBe(0.625);
    expect(qualityLevel(0.625)).toBe('medium');
  });

  it('is 0 for an empty, stale profile of one source', () => {
    const facts = { profile: profile({}), updatedAt: NOW - 31 * DAY_MS, sources: 1 };
    expect(qualityScore(dataQualityScore, facts, NOW)).toBe(0);
    expect(qualityLevel(0)).toBe('invalid');
    expect(qualityLevel(0.5)).toBe('low');
  });
});
