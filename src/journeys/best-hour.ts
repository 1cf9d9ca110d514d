import { localDateTime } from './local-time';

/** Engagement needed before a customer's own best hour is trusted over the journey's fallback. */
export const MIN_ENGAGEMENTS = 3;

export interface BestHour {
  /** 0–23 in the customer's zone. */
  hour: number;
  /** How many engagements the hour was learned from; 0 when the fallback was used. */
  basedOn: number;
}

/**
 * Send-time optimisation: the local hour at which the customer most often opened or clicked,
 * learned from the timestamps of their engagement events. Ties go to the earlier hour. With fewer
 * than MIN_ENGAGEMENTS events there is no pattern to learn, and null says "use the fallback".
 */
export function bestHour(engagedAt: number[], zone: string): BestHour | null {
  if (engagedAt.length < MIN_ENGAGEMENTS) return null;
  const counts = new Array<number>(24).fill(0);
  for (const at of engagedAt) {
    const hour = localDateTime(at, zone).hour;
    counts[hour] = (counts[hour] ?? 0) + 1;
  }
  let best = 0;
  for (let hour = 1; hour < 24; hour += 1) {
    if ((counts[hour] ?? 0) > (counts[best] ?? 0)) best = hour;
  }
  return { hour: best, basedOn: engagedAt.length };
}
