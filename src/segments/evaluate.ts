import { evaluateCondition } from '../journeys/conditions';
import { parseDuration } from '../journeys/durations';
import { consentAllowsChannel, topicSubscribed } from './channel-rules';
import type { CustomerFacts } from './customer-facts';
import { engagementTypesFor } from './engagement-types';
import { countPasses, isHuman, matchingEvents, numericValues } from './event-facts';
import { scoreAt } from '../scores/decay';
import type { ScoreCatalogue } from '../scores/catalogue';
import type { SegmentCondition } from './schema';

/**
 * Whether a customer matches a segment condition at `now`, from facts alone. The meaning is the
 * journey conditions' (src/journeys/conditions.ts): a missing value never passes (only
 * exists: false does), and `not` of a failing condition passes. src/audience/segment-sql.ts
 * compiles the same meaning to SQL; the differential test holds the two to one answer.
 */
export interface EvaluateOptions {
  emailMarketingDefault: 'opted_in' | 'opted_out';
  /** The scores `score` conditions read (their active versions). */
  scores: ScoreCatalogue;
}

type Leaf<K extends string> = K extends string
  ? Extract<SegmentCondition, Record<K, unknown>>
  : never;

export function evaluateSegment(
  condition: SegmentCondition,
  facts: CustomerFacts,
  now: number,
  options: EvaluateOptions,
): boolean {
  const again = (c: SegmentCondition) => evaluateSegment(c, facts, now, options);
  if ('all' in condition) return condition.all.every(again);
  if ('any' in condition) return condition.any.some(again);
  if ('not' in condition) return !again(condition.not);
  if ('profile' in condition) {
    const { field, ...rest } = condition.profile;
    const journeyCondition = { ...rest, field: `profile.${field}` };
    return evaluateCondition(journeyCondition, { profile: facts.profile }, now).passed;
  }
  if ('score' in condition) return scorePasses(condition.score, facts, now, options.scores);
  return evaluateEventLeaf(condition, facts, now) ?? evaluateChannelLeaf(condition, facts, options);
}

/**
 * The score as read at now against the value: a decaying one decayed and capped (0 with nothing
 * stored), an RFM one as stored (none stored: missing, which never passes).
 */
function scorePasses(
  leaf: Leaf<'score'>['score'],
  facts: CustomerFacts,
  now: number,
  scores: ScoreCatalogue,
): boolean {
  const definition = scores.find(leaf.score);
  const stored = facts.scores?.[leaf.score];
  if (definition?.kind === 'rfm')
    return stored !== undefined && compare(leaf.op, stored.value, leaf.value);
  // Publishing admits stored scores only; a definition gone since fails closed.
  if (definition?.kind !== 'decaying') return false;
  return compare(leaf.op, scoreAt(definition, stored, now), leaf.value);
}

type EventLeaf = Leaf<'performed' | 'notPerformed' | 'eventTime' | 'aggregate' | 'engaged'>;

/** The leaves that read events; undefined for any other kind. */
function evaluateEventLeaf(
  condition: SegmentCondition,
  facts: CustomerFacts,
  now: number,
): boolean | undefined {
  const c = condition as EventLeaf;
  if ('performed' in c) {
    return countPasses(c.performed.count, matchingEvents(facts.events, c.performed, now).length);
  }
  if ('notPerformed' in c) return matchingEvents(facts.events, c.notPerformed, now).length === 0;
  if ('eventTime' in c) return eventTimePasses(c.eventTime, facts, now);
  if ('aggregate' in c) return aggregatePasses(c.aggregate, facts, now);
  if ('engaged' in c) return countPasses(c.engaged.count, engagedEvents(c.engaged, facts, now));
  return undefined;
}

function eventTimePasses(
  leaf: Leaf<'eventTime'>['eventTime'],
  facts: CustomerFacts,
  now: number,
): boolean {
  const times = matchingEvents(facts.events, leaf, now).map((e) => e.occurredAt);
  if (times.length === 0) return false;
  const time = leaf.which === 'first' ? Math.min(...times) : Math.max(...times);
  const age = now - time;
  return leaf.op === 'within' ? age <= parseDuration(leaf.value) : age > parseDuration(leaf.value);
}

function aggregatePasses(
  leaf: Leaf<'aggregate'>['aggregate'],
  facts: CustomerFacts,
  now: number,
): boolean {
  const values = numericValues(matchingEvents(facts.events, leaf, now), leaf.property);
  const result = aggregateOf(leaf.fn, values);
  return result !== null && compare(leaf.op, result, leaf.value);
}

/** sum of nothing is 0; avg, min and max of nothing are missing. */
export function aggregateOf(fn: 'sum' | 'avg' | 'min' | 'max', values: number[]): number | null {
  const sum = values.reduce((total, n) => total + n, 0);
  if (fn === 'sum') return sum;
  if (values.length === 0) return null;
  if (fn === 'avg') return sum / values.length;
  return fn === 'min' ? Math.min(...values) : Math.max(...values);
}

function compare(op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte', a: number, b: number): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
  }
}

/** Human opens and clicks of the leaf's kinds inside its window. */
function engagedEvents(leaf: Leaf<'engaged'>['engaged'], facts: CustomerFacts, now: number) {
  const types = new Set(engagementTypesFor(leaf.action, leaf.channel));
  const from = now - parseDuration(leaf.within);
  return facts.events.filter(
    (e) => types.has(e.type) && isHuman(e) && e.occurredAt <= now && e.occurredAt > from,
  ).length;
}

type ChannelLeaf = Leaf<'reachable' | 'consented' | 'subscribed' | 'inSegment' | 'lifecycleStage'>;

function evaluateChannelLeaf(
  condition: SegmentCondition,
  facts: CustomerFacts,
  options: EvaluateOptions,
): boolean {
  const c = condition as ChannelLeaf;
  if ('reachable' in c) {
    const { channel } = c.reachable;
    if (channel === 'push') return facts.pushTokens.some((token) => !token.suppressed);
    return facts[channel].present && !facts[channel].suppressed;
  }
  if ('consented' in c) {
    const { channel, kind } = c.consented;
    return consentAllowsChannel(facts.consent, channel, kind, options.emailMarketingDefault);
  }
  if ('subscribed' in c) return topicSubscribed(facts.topics[c.subscribed.topic]);
  if ('lifecycleStage' in c) return facts.lifecycleStage === c.lifecycleStage.stage;
  return facts.segments.has(c.inSegment.segment);
}
