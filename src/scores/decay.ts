import { evaluateCondition } from '../journeys/conditions';
import type { JsonObject } from '../journeys/run-types';
import type { DecayingScore, ScorePropertyCondition } from './schema';

/**
 * The arithmetic of a decaying score, exact and pure. The stored state is the uncapped sum of
 * every counted event's points rebased to `asOf`:
 *
 *   value(asOf) = Σ points_i × decayPerDay^((asOf − t_i) / day)
 *
 * so the score at any later time is one multiplication (scoreAt), and a new event either adds its
 * points decayed to asOf (an event older than asOf: late or out of order) or rebases the sum to
 * its own time. Nothing needs recomputing as time passes. An event dated after the moment it is
 * counted counts from that moment (countedAt): asOf never lies in the future, so a read never
 * sees a value grow.
 */

export const DAY_MS = 86_400_000;

export interface StoredScore {
  /** The uncapped sum at asOf. */
  value: number;
  /** Epoch milliseconds. */
  asOf: number;
}

/** What `points` at `from` are worth at `to` (to ≥ from). */
export function decayed(points: number, decayPerDay: number, from: number, to: number): number {
  return points * decayPerDay ** ((to - from) / DAY_MS);
}

/** The score read at `now`: the stored sum decayed to now, capped. No stored state reads 0. */
export function scoreAt(
  definition: Pick<DecayingScore, 'decayPerDay' | 'cap'>,
  stored: StoredScore | null | undefined,
  now: number,
): number {
  if (!stored) return 0;
  const value = decayed(
    stored.value,
    definition.decayPerDay,
    stored.asOf,
    Math.max(now, stored.asOf),
  );
  return Math.min(definition.cap, value);
}

/**
 * The first whole millisecond at which the score read falls below `threshold` with no new event
 * (it only ever falls), or null when it never will: nothing stored, no decay, already at or
 * below it, or a threshold of 0 or less (never reached) or above the cap (never reached from
 * above). A comparison with the threshold can change only then: src/segments' next change.
 */
export function fallsBelowAt(
  definition: Pick<DecayingScore, 'decayPerDay' | 'cap'>,
  stored: StoredScore | null | undefined,
  threshold: number,
): number | null {
  if (!stored || definition.decayPerDay >= 1) return null;
  if (!(stored.value > threshold && threshold > 0 && threshold <= definition.cap)) return null;
  const crossing =
    stored.asOf + (DAY_MS * Math.log(threshold / stored.value)) / Math.log(definition.decayPerDay);
  return Math.floor(crossing) + 1;
}

/** An event as the score counts it. */
export interface ScoredEvent {
  type: string;
  properties: JsonObject;
  /** { machineOpen?, bot? }: a machine's open or a bot's click counts nothing. */
  flags?: JsonObject | null;
}

/** The event's points (weight × every matching multiplier), or 0 when the score ignores it. */
export function pointsOf(definition: DecayingScore, event: ScoredEvent): number {
  const weight = definition.weights[event.type];
  if (weight === undefined) return 0;
  if (event.flags?.machineOpen === true || event.flags?.bot === true) return 0;
  let points = weight;
  for (const multiplier of definition.multipliers) {
    if (multiplier.event === event.type && propertiesMatch(multiplier.where, event.properties)) {
      points *= multiplier.factor;
    }
  }
  return points;
}

function propertiesMatch(where: readonly ScorePropertyCondition[], properties: JsonObject) {
  return where.every(({ property, ...rest }) => {
    // No age operators in a multiplier, so `now` is never read.
    const condition = { ...rest, field: `context.${property}` };
    return evaluateCondition(condition, { context: properties }, 0).passed;
  });
}

/** A counted event: its points and when it happened (epoch ms). */
export interface Contribution {
  points: number;
  occurredAt: number;
}

/**
 * The stored state after counting `contributions` at `countedAt`: the same arithmetic the
 * router's statement does in SQL (src/audience/score-contributions.ts), for tests and for
 * anything that rebuilds a score from its contributions.
 */
export function addContributions(
  definition: Pick<DecayingScore, 'decayPerDay'>,
  stored: StoredScore | null,
  contributions: readonly Contribution[],
  countedAt: number,
): StoredScore | null {
  if (contributions.length === 0) return stored;
  const times = contributions.map((c) => Math.min(c.occurredAt, countedAt));
  const asOf = Math.max(stored?.asOf ?? -Infinity, ...times);
  let value = stored ? decayed(stored.value, definition.decayPerDay, stored.asOf, asOf) : 0;
  contributions.forEach((c, i) => {
    value += decayed(c.points, definition.decayPerDay, times[i] ?? asOf, asOf);
  });
  return { value, asOf };
}
