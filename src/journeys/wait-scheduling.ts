import { describeDuration } from './durations';
import { journeyEventTypes } from './listens';
import { resetLoopGuard } from './loop-guard';
import { isValidTimeZone } from './local-time';
import { issue, record, runDeadline, type RunContext } from './run-context';
import type { HeldMessage, Transition } from './run-types';

/**
 * Every timer a step waits on goes through here: the wait is cut short by the journey's
 * maxDuration, listens for the journey-level events (exitOn, goal) as well as the step's own,
 * and resets the zero-time loop guard.
 */
export function scheduleWait(
  ctx: RunContext,
  stepId: string,
  until: number,
  stepEvents: string[],
  describe: string,
  hold?: HeldMessage,
): Transition {
  const deadline = runDeadline(ctx);
  const capped = deadline === null ? until : Math.min(until, deadline);
  const events = [...new Set([...stepEvents, ...journeyEventTypes(ctx.definition)])].sort();
  resetLoopGuard(ctx.state);
  const capNote = capped < until ? ' (cut short by the journey maxDuration)' : '';
  record(ctx, {
    kind: 'wait_scheduled',
    summary: `waiting ${describeDuration(capped - ctx.now)}: ${describe}${capNote}`,
    detail: { until: capped, events },
  });
  return issue(ctx, { kind: 'wait', stepId, until: capped, events, ...(hold ? { hold } : {}) });
}

/** The profile's zone when it is valid, else the run's default zone; null when neither is. */
export function waitZone(ctx: RunContext): string | null {
  const profileZone = ctx.state.profile?.timeZone ?? null;
  if (profileZone !== null && isValidTimeZone(profileZone)) return profileZone;
  if (profileZone !== null) {
    record(ctx, {
      kind: 'condition',
      summary: 'profile time zone is not a valid IANA zone; using the run default zone',
      detail: { profileZone, defaultZone: ctx.state.defaultTimeZone },
    });
  }
  return isValidTimeZone(ctx.state.defaultTimeZone) ? ctx.state.defaultTimeZone : null;
}
