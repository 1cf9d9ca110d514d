/**
 * Wall-clock times in IANA zones, with Intl.DateTimeFormat as the only source of zone rules
 * (it is available inside Temporal's workflow sandbox; no Date.now, no Node built-ins).
 */

const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new Error(
        `invalid time zone "${zone}": expected an IANA zone name such as "Europe/Berlin"`,
      );
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** True when `zone` is a time zone Intl knows. */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading in `zone` at the instant `ms`. */
export function localDateTime(ms: number, zone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at the instant `ms`, in ms (whole seconds). */
export function zoneOffset(ms: number, zone: string): number {
  const t = localDateTime(ms, zone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const LOCAL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The epoch ms of the next occurrence (strictly after `nowMs`) of the wall-clock time `hhmm`
 * in `zone`. On a spring-forward day a time inside the gap resolves to the first valid instant
 * after it (the moment the clocks jump); on a fall-back day an ambiguous time resolves to its
 * first occurrence.
 */
export function nextLocalTime(nowMs: number, hhmm: string, zone: string): number {
  const match = LOCAL_TIME.exec(hhmm);
  if (!match) throw new Error(`invalid local time "${hhmm}": expected "HH:MM" (24-hour)`);
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  const today = localDateTime(nowMs, zone);
  // Offsets never exceed a day, so one of the next three local dates has the occurrence.
  for (let dayOffset = -1; dayOffset <= 2; dayOffset += 1) {
    const wall = Date.UTC(today.year, today.month - 1, today.day + dayOffset, hour, minute);
    const instant = instantOfWallTime(wall, zone);
    if (instant > nowMs) return instant;
  }
  throw new Error(`no occurrence of ${hhmm} found in zone "${zone}"`);
}

/**
 * The instant at which the zone's clock reads `wall` (a wall-clock reading encoded as if UTC).
 * Ambiguous readings take the earlier instant; readings in a gap take the end of the gap.
 */
export function instantOfWallTime(wall: number, zone: string): number {
  const offsets = new Set([
    zoneOffset(wall - DAY, zone),
    zoneOffset(wall + DAY, zone),
    zoneOffset(wall, zone),
  ]);
  const candidates = [...offsets]
    .map((offset) => wall - offset)
    .filter((t) => t + zoneOffset(t, zone) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  const before = wall - zoneOffset(wall - DAY, zone);
  const after = wall - zoneOffset(wall + DAY, zone);
  return transitionBetween(Math.min(before, after), Math.max(before, after), zone);
}

/** The first instant in (low, high] whose offset differs from the offset at `low`. */
function transitionBetween(low: number, high: number, zone: string): number {
  const startOffset = zoneOffset(low, zone);
  let lo = low;
  let hi = high;
  // Zone transitions fall on whole seconds; bisect to one second.
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (zoneOffset(mid, zone) === startOffset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** "2026-03-08 09:00" style rendering of an instant in a zone, for traces and previews. */
export function formatLocal(ms: number, zone: string): string {
  const t = localDateTime(ms, zone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}`;
}
