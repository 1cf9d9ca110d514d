import { ENGAGEMENT_EVENT_TYPES } from '../customers';
import { RESUBSCRIBE_EVENT, UNSUBSCRIBE_EVENT } from '../guardrails/preferences';
import { SCORE_CHANGED, type ScoreCatalogue } from '../scores';
import { LIFECYCLE_CHANGED } from '../lifecycle/stages';
import type { SegmentCondition } from '../segments/schema';

export const SEGMENT_ENTERED = 'segment_entered';
export const SEGMENT_EXITED = 'segment_exited';

/**
 * Events that say a customer's reachability or consent changed: a bounce or complaint adds a
 * suppression, a STOP/START or an unsubscribe changes consent or a topic choice. Their sources
 * (src/bounces, src/guardrails) store them through recordEvents like every other event.
 */
export const CUSTOMER_STATE_EVENTS = [
  UNSUBSCRIBE_EVENT,
  RESUBSCRIBE_EVENT,
  'sms_opted_out',
  'sms_opted_in',
  'email_bounced',
  'email_complained',
  'sms_failed',
  'sms_complained',
];

/** What can change a customer's membership of a segment. */
export interface SegmentDependencies {
  /** Event types whose arrival can change it (segment events for inSegment). */
  eventTypes: string[];
  /** A change of the profile (attributes, addresses, consent, device tokens) can change it. */
  readsProfile: boolean;
  /** Segments it reads the membership of. */
  segments: string[];
  /** Lifecycle stages it reads. */
  stages: string[];
  /** Scores it reads (a new version of one changes what it says). */
  scores: string[];
}

/** What can change the condition's answer, with the score versions of `catalogue`. */
export function segmentDependencies(
  condition: SegmentCondition,
  catalogue: ScoreCatalogue,
): SegmentDependencies {
  const types = new Set<string>();
  const segments = new Set<string>();
  const stages = new Set<string>();
  const scores = new Set<string>();
  let readsProfile = false;
  const visit = (c: SegmentCondition): void => {
    if ('all' in c) return c.all.forEach(visit);
    if ('any' in c) return c.any.forEach(visit);
    if ('not' in c) return visit(c.not);
    if ('profile' in c) readsProfile = true;
    else if ('performed' in c) types.add(c.performed.event);
    else if ('notPerformed' in c) types.add(c.notPerformed.event);
    else if ('eventTime' in c) types.add(c.eventTime.event);
    else if ('aggregate' in c) types.add(c.aggregate.event);
    else if ('engaged' in c) ENGAGEMENT_EVENT_TYPES.forEach((type) => types.add(type));
    else if ('score' in c) {
      // The events the score weighs move it (counted before membership in the same pass); its
      // decay is a time change, scheduled through the due index like a window edge.
      scores.add(c.score.score);
      const definition = catalogue.find(c.score.score);
      if (definition?.kind === 'decaying')
        Object.keys(definition.weights).forEach((t) => types.add(t));
      // An RFM score moves only when its recompute writes a score_changed event (its first
      // cells, which have none, the recompute sends through the due index).
      if (definition?.kind === 'rfm') types.add(SCORE_CHANGED);
    } else if ('inSegment' in c) {
      segments.add(c.inSegment.segment);
      types.add(SEGMENT_ENTERED).add(SEGMENT_EXITED);
    } else if ('lifecycleStage' in c) {
      stages.add(c.lifecycleStage.stage);
      types.add(LIFECYCLE_CHANGED);
    } else {
      // reachable, consented, subscribed: the customer's addresses, consent and topic choices.
      readsProfile = true;
      CUSTOMER_STATE_EVENTS.forEach((type) => types.add(type));
    }
  };
  visit(condition);
  return {
    eventTypes: [...types].sort(),
    readsProfile,
    segments: [...segments].sort(),
    stages: [...stages].sort(),
    scores: [...scores].sort(),
  };
}
