import {
  instantOfWallTime,
  isValidTimeZone,
  nextLocalTime,
  zoneOffset,
} from '../../src/journeys/local-time';

const at = (iso: string) => Date.parse(iso);
const next = (now: string, time: string, zone: string) =>
  new Date(nextLocalTime(at(now), time, zone)).toISOString();

describe('nextLocalTime', () => {
  it('finds today when the time is still ahead, tomorrow when it has passed', () => {
    expect(next('2026-06-01T12:00:00Z', '09:00', 'America/New_York')).toBe(
      '2026-06-01T13:00:00.000Z',
    );
    expect(next('2026-06-01T14:00:00Z', '09:00', 'America/New_York')).toBe(
      '2026-06-02T13:00:00.000Z',
    );
  });

  it('is strictly after now', () => {
    expect(next('2026-06-01T13:00:00Z', '09:00', 'America/New_York')).toBe(
      '2026-06-02T13:00:00.000Z',
    );
  });

  it('follows the local date, not the UTC date', () => {
    // 02:00 UTC on June 2 is still June 1 in New York (22:00 EDT).
    expect(next('2026-06-02T02:00:00Z', '23:00', 'America/New_York')).toBe(
      '2026-06-02T03:00:00.000Z',
    );
  });

  describe('America/New_York spring forward (2026-03-08, 02:00 → 03:00)', () => {
    it('keeps 09:00 local across the change', () => {
      expect(next('2026-03-07T15:00:00Z', '09:00', 'America/New_York')).toBe(
        '2026-03-08T13:00:00.000Z',
      );
      expect(next('2026-03-06T15:00:00Z', '09:00', 'America/New_York')).toBe(
        '2026-03-07T14:00:00.000Z',
      );
    });

    it('resolves a time in the gap to the first valid instant after it', () => {
      expect(next('2026-03-08T05:00:00Z', '02:30', 'America/New_York')).toBe(
        '2026-03-08T07:00:00.000Z',
      );
      expect(next('2026-03-08T05:00:00Z', '02:00', 'America/New_York')).toBe(
        '2026-03-08T07:00:00.000Z',
      );
    });
  });

  describe('America/New_York fall back (2026-11-01, 02:00 → 01:00)', () => {
    it('uses the first occurrence of an ambiguous time', () => {
      expect(next('2026-11-01T04:00:00Z', '01:30', 'America/New_York')).toBe(
        '2026-11-01T05:30:00.000Z',
      );
    });

    it('goes to the next day once the first occurrence has passed', () => {
      expect(next('2026-11-01T05:45:00Z', '01:30', 'America/New_York')).toBe(
        '2026-11-02T06:30:00.000Z',
      );
    });

    it('keeps 09:00 local across the change', () => {
      expect(next('2026-10-31T14:00:00Z', '09:00', 'America/New_York')).toBe(
        '2026-11-01T14:00:00.000Z',
      );
    });
  });

  describe('Europe/Berlin', () => {
    it('handles the spring gap (2026-03-29, 02:00 → 03:00)', () => {
      expect(next('2026-03-29T00:00:00Z', '02:30', 'Europe/Berlin')).toBe(
        '2026-03-29T01:00:00.000Z',
      );
      expect(next('2026-03-28T12:00:00Z', '09:00', 'Europe/Berlin')).toBe(
        '2026-03-29T07:00:00.000Z',
      );
    });

    it('uses the first 02:30 on the autumn change (2026-10-25)', () => {
      expect(next('2026-10-24T12:00:00Z', '02:30', 'Europe/Berlin')).toBe(
        '2026-10-25T00:30:00.000Z',
      );
    });
  });

  it('handles half-hour zones without DST (Asia/Kolkata)', () => {
    expect(next('2026-06-01T00:00:00Z', '09:00', 'Asia/Kolkata')).toBe('2026-06-01T03:30:00.000Z');
    expect(next('2026-06-01T04:00:00Z', '09:00', 'Asia/Kolkata')).toBe('2026-06-02T03:30:00.000Z');
    expect(next('2026-06-01T20:00:00Z', '00:00', 'Asia/Kolkata')).toBe('2026-06-02T18:30:00.000Z');
  });

  it('works in UTC', () => {
    expect(next('2026-06-01T08:59:00Z', '09:00', 'UTC')).toBe('2026-06-01T09:00:00.000Z');
  });

  it('throws clear errors for a bad zone or time', () => {
    expect(() => nextLocalTime(0, '09:00', 'Mars/Olympus')).toThrow(
      'invalid time zone "Mars/Olympus"',
    );
    expect(() => nextLocalTime(0, '9am', 'UTC')).toThrow('invalid local time "9am"');
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
  });
});

describe('zone helpers', () => {
  it('reports offsets', () => {
    expect(zoneOffset(at('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(zoneOffset(at('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(zoneOffset(at('2026-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * 3_600_000);
  });

  it('maps a plain wall time to its instant', () => {
    expect(instantOfWallTime(Date.UTC(2026, 6, 15, 9, 0), 'Europe/Berlin')).toBe(
      at('2026-07-15T07:00:00Z'),
    );
  });
});
