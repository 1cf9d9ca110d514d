import { asTimestamp } from '../journeys/conditions';
import { parseDuration } from '../journeys/durations';
import { resolveField } from '../journeys/field-paths';
import type { ConditionBody } from './condition-body';
import type { CustomerFacts, FactEvent } from './customer-facts';
import { engagementTypesFor } from './engagement-types';
import { isHuman, propertiesPass } from './event-facts';
import { fallsBelowAt } from '../scores/decay';
import type { ScoreCatalogue } from '../scores/catalogue';
import type { PropertyComparison, SegmentCondition } from './schema';

/**
 * The earliest moment after `now` at which the condition's answer can change with no new event
 * stored, or null when nothing in it depends on time. It may be early (a re-check then finds no
 * change), never late. The pure twin of src/audience/next-change.ts, which computes the same in SQL.
 *
 * What moves with time alone: an event leaving a `within` window (at occurred_at + window), an
 * event stored with a future occurred_at starting to count (at occurred_at), and an age limit
 * crossed (within / older_than on a timestamp, first true or false at floor(ts + age) + 1 ms), and
 * a decaying score falling past a threshold (fallsBelowAt, src/scores/decay.ts).
 */
export function nextChangeAfter(
  condition: SegmentCondition,
  facts: CustomerFacts,
  now: number,
  scores: ScoreCatalogue,
): number | null {
  if ('all' in condition || 'any' in condition) {
    const list = 'all' in condition ? condition.all : condition.any;
    return earliest(list.map((c) => nextChangeAfter(c, facts, now, scores)));
  }
  if ('not' in condition) return nextChangeAfter(condition.not, facts, now, scores);
  if ('profile' in condition) return profileChange(condition.profile, facts, now);
  if ('score' in condition) return scoreChange(condition.score, facts, now, scores);
  const leaf = eventLeaf(condition);
  return leaf ? eventChange(leaf, facts, now) : null;
}

export function earliest(times: (number | null)[]): number | null {
  const known = times.filter((t): t is number => t !== null);
  return known.length === 0 ? null : Math.min(...known);
}

/** When an age condition on `ts` flips: the first whole ms at which the age passes the limit. */
export function ageCrossing(ts: number, duration: string, now: number): number | null {
  const at = Math.floor(ts + parseDuration(duration)) + 1;
  return at > now ? at : null;
}

function profileChange(
  leaf: ConditionBody<'profile'>,
  facts: CustomerFacts,
  now: number,
): number | null {
  if (leaf.op !== 'within' && leaf.op !== 'older_than') return null;
  const resolved = resolveField(`profile.${leaf.field}`, { profile: facts.profile });
  const ts = resolved.missing ? null : asTimestamp(resolved.value);
  return ts === null ? null : ageCrossing(ts, leaf.value, now);
}

function scoreChange(
  leaf: ConditionBody<'score'>,
  facts: CustomerFacts,
  now: number,
  scores: ScoreCatalogue,
) {
  const definition = scores.find(leaf.score);
  if (definition?.kind !== 'decaying') return null;
  const at = fallsBelowAt(definition, facts.scores?.[leaf.score], leaf.value);
  return at !== null && at > now ? at : null;
}

/** The parts of an event leaf that time can move. */
export interface EventLeafShape {
  types: string[];
  humanOnly: boolean;
  where: PropertyComparison[];
  within?: string | undefined;
  eventTime?: { which: 'first' | 'last'; value: string };
}

export function eventLeaf(condition: SegmentCondition): EventLeafShape | null {
  if ('performed' in condition || 'notPerformed' in condition || 'aggregate' in condition) {
    const body =
      'performed' in condition
        ? condition.performed
        : 'notPerformed' in condition
          ? condition.notPerformed
          : condition.aggregate;
    return { types: [body.event], humanOnly: false, where: body.where ?? [], within: body.within };
  }
  if ('eventTime' in condition) {
    const { event, where, which, value } = condition.eventTime;
    return { types: [event], humanOnly: false, where: where ?? [], eventTime: { which, value } };
  }
  if ('engaged' in condition) {
    const { action, channel, within } = condition.engaged;
    return { types: engagementTypesFor(action, channel), humanOnly: true, where: [], within };
  }
  return null;
}

export const isAgeComparison = (c: PropertyComparison) =>
  c.op === 'within' || c.op === 'older_than';

function eventChange(leaf: EventLeafShape, facts: CustomerFacts, now: number): number | null {
  const ofType = facts.events.filter(
    (e) => leaf.types.includes(e.type) && (!leaf.humanOnly || isHuman(e)),
  );
  const ages = leaf.where.filter(isAgeComparison);
  const matching = ofType.filter((e) => propertiesPass(leaf.where, e.properties, now));
  // With an age condition on a property the matching set itself moves: count every event.
  const base = ages.length > 0 ? ofType : matching;
  const candidates: (number | null)[] = [
    earliest(base.filter((e) => e.occurredAt > now).map((e) => e.occurredAt)),
  ];
  if (leaf.within !== undefined) {
    const from = now - parseDuration(leaf.within);
    const inside = base.filter((e) => e.occurredAt > from && e.occurredAt <= now);
    const first = earliest(inside.map((e) => e.occurredAt));
    candidates.push(first === null ? null : first + parseDuration(leaf.within));
  }
  if (leaf.eventTime) candidates.push(eventTimeCrossing(leaf.eventTime, matching, now));
  for (const comparison of ages) candidates.push(propertyCrossing(comparison, ofType, now));
  return earliest(candidates);
}

function eventTimeCrossing(
  eventTime: NonNullable<EventLeafShape['eventTime']>,
  matching: FactEvent[],
  now: number,
): number | null {
  const times = matching.filter((e) => e.occurredAt <= now).map((e) => e.occurredAt);
  if (times.length === 0) return null;
  const time = eventTime.which === 'first' ? Math.min(...times) : Math.max(...times);
  return ageCrossing(time, eventTime.value, now);
}

function propertyCrossing(
  comparison: PropertyComparison,
  events: FactEvent[],
  now: number,
): number | null {
  return earliest(
    events.map((e) => {
      const resolved = resolveField(`context.${comparison.property}`, { context: e.properties });
      const ts = resolved.missing ? null : asTimestamp(resolved.value);
      return ts === null ? null : ageCrossing(ts, comparison.value as string, now);
    }),
  );
}
