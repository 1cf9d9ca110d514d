import type { z } from 'zod';
import { durationOrNull } from './durations';
import type { ConditionGroup, Trigger } from './schema';

/**
 * The rules of a behavioural trigger that span its fields, on the parsed definition, each issue
 * at its exact path: conditions on a looked-at event read that event; a veto needs a span of
 * time to look in; an expiry shorter than the delay would never let a run enter.
 */
export function checkTrigger(trigger: Trigger | undefined, ctx: z.RefinementCtx): void {
  if (!trigger) return;
  if (trigger.segment && !SEGMENT_EVENTS.includes(trigger.event)) {
    ctx.addIssue({
      code: 'custom',
      path: ['trigger', 'segment'],
      message: `names a segment, so the event must be one of ${SEGMENT_EVENTS.join(', ')}`,
    });
  }
  checkEventConditions(trigger.where, ['trigger', 'where'], ctx);
  checkEventConditions(trigger.after?.where, ['trigger', 'after', 'where'], ctx);
  trigger.vetoedBy?.forEach((veto, index) =>
    checkEventConditions(veto.where, ['trigger', 'vetoedBy', index, 'where'], ctx),
  );
  if (trigger.vetoedBy && !trigger.count && !trigger.after && !trigger.delay) {
    ctx.addIssue({
      code: 'custom',
      path: ['trigger', 'vetoedBy'],
      message: 'a veto needs a span of time to look in: set "count", "after" or "delay"',
    });
  }
  const delay = trigger.delay ? (durationOrNull(trigger.delay) ?? 0) : 0;
  const expiry = trigger.expiresAfter ? durationOrNull(trigger.expiresAfter) : null;
  if (expiry !== null && expiry <= delay) {
    ctx.addIssue({
      code: 'custom',
      path: ['trigger', 'expiresAfter'],
      message: 'must be longer than "delay", or no run could ever enter',
    });
  }
}

/** The events a segment's membership changes emit (src/audience). */
const SEGMENT_EVENTS = ['segment_entered', 'segment_exited'];

function checkEventConditions(
  group: ConditionGroup | undefined,
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  group?.conditions.forEach((condition, index) => {
    if (condition.field.startsWith('event.')) return;
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'conditions', index, 'field'],
      message: 'conditions on a looked-at event read that event: use an event.* path',
    });
  });
}
