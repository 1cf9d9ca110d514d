import { describeDuration, formatDuration, parseDuration } from '../../src/journeys/durations';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '0m', '1.5h', '10', 'h', '-1d', '2 d', '3y', '01h'])(
    'rejects %j with a clear error',
    (text) => {
      expect(() => parseDuration(text)).toThrow(`invalid duration "${text}"`);
    },
  );
});

describe('formatDuration', () => {
  it('uses the largest exact unit', () => {
    expect(formatDuration(7_200_000)).toBe('2h');
    expect(formatDuration(5_400_000)).toBe('90m');
    expect(formatDuration(604_800_000)).toBe('1w');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(1500)).toBe('1500ms');
  });

  it('round-trips with parseDuration', () => {
    for (const text of ['90s', '30m', '24h'.replace('24h', '1d'), '3d', '2w']) {
      expect(formatDuration(parseDuration(text))).toBe(text);
    }
  });

  it('describes durations for people', () => {
    expect(describeDuration(93_600_000)).toBe('1d 2h');
    expect(describeDuration(90_000)).toBe('1m 30s');
    expect(describeDuration(0)).toBe('0s');
  });
});
