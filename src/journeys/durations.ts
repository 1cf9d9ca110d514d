/** Durations of the journey language: "90s", "30m", "24h", "2d", "1w". */

const UNIT_MS = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

type Unit = keyof typeof UNIT_MS;

const DURATION = /^([1-9]\d*)(s|m|h|d|w)$/;

/**
 * The longest a journey may wait, offset a message, time out, cool down, count a cap over or
 * run: ten years. Anything longer is a typo rather than a plan, and stays far inside what
 * Temporal's timers and epoch-millisecond arithmetic take.
 */
export const MAX_DURATION = { text: '3650d', ms: 3650 * UNIT_MS.d, described: 'ten years' };

/** A condition's `within` / `older_than` may look further back (an age of 18 years, say). */
export const MAX_CONDITION_DURATION = {
  text: '36500d',
  ms: 36_500 * UNIT_MS.d,
  described: 'a hundred years',
};

/** Milliseconds in a duration such as "30m"; throws a clear error for anything else. */
export function parseDuration(duration: string): number {
  const match = DURATION.exec(duration);
  if (!match) {
    throw new Error(
      `invalid duration "${duration}": use a positive whole number and s, m, h, d or w, e.g. "30m"`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as Unit];
  if (!Number.isSafeInteger(ms)) throw new Error(`invalid duration "${duration}": too large`);
  return ms;
}

/**
 * Milliseconds in a valid duration, or null. For validation, which reports a bad duration (the
 * schema's own regex names it) instead of throwing in the middle of a check.
 */
export function durationOrNull(duration: string): number | null {
  try {
    return parseDuration(duration);
  } catch {
    return null;
  }
}

/**
 * The largest whole unit that expresses `ms` exactly, e.g. 7_200_000 → "2h", 5_400_000 → "90m".
 * Anything that is not a whole number of seconds is shown in ms ("1500ms").
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`cannot format duration ${ms}: must be >= 0`);
  if (ms === 0) return '0s';
  const units: Unit[] = ['w', 'd', 'h', 'm', 's'];
  for (const unit of units) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** A readable rendering for people, e.g. 93_600_000 → "1d 2h". */
export function describeDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0)
    throw new Error(`cannot describe duration ${ms}: must be >= 0`);
  const parts: string[] = [];
  let rest = Math.floor(ms / 1000) * 1000;
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * UNIT_MS[unit];
  }
  return parts.length > 0 ? parts.join(' ') : '0s';
}
