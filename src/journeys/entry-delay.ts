import { parseDuration } from './durations';
import { finish, issue, record, type RunContext } from './run-context';
import type { FinishReason, JourneyEvent, Transition } from './run-types';
import type { Trigger } from './schema';
import { historyWanted, judgeTrigger, vetoes } from './trigger-rule';

/** The step a run names while it waits to enter (no step of the journey has started yet). */
export const ENTRY_DELAY_STEP = '(entry delay)';

/**
 * A trigger with a `delay`: the run waits, counted from when the trigger event happened, and
 * listens for its vetoes meanwhile. When the delay is over it loads the history again and judges
 * the rule once more (trigger-rule.ts), then enters on a fresh profile. Null: no delay to wait.
 */
export function delayEntry(ctx: RunContext): Transition | null {
  const { trigger, event } = delayed(ctx);
  if (!trigger?.delay || !event) return null;
  const until = Date.parse(event.occurredAt) + parseDuration(trigger.delay);
  ctx.state.entryDelay = { until };
  const vetoTypes = (trigger.vetoedBy ?? []).map((v) => v.event);
  record(ctx, {
    kind: 'wait_scheduled',
    summary: `entry delayed until ${new Date(until).toISOString()}${vetoTypes.length > 0 ? `, unless ${vetoTypes.join(' or ')} happens first` : ''}`,
    detail: { until: new Date(until).toISOString(), vetoedBy: vetoTypes },
  });
  return issue(ctx, { kind: 'wait', stepId: ENTRY_DELAY_STEP, until, events: vetoTypes });
}

/** Whether the run is still waiting to enter. */
export function inEntryDelay(ctx: RunContext): boolean {
  return Boolean(ctx.state.entryDelay);
}

/** The delay is over: the rule is judged again on the history as it is now. */
export function onEntryDelayOver(ctx: RunContext): Transition {
  const { trigger, event } = delayed(ctx);
  const wanted = trigger && event ? historyWanted(trigger, event) : null;
  if (!wanted) return onTriggerHistory(ctx, []);
  return issue(ctx, { kind: 'load_trigger_history', types: wanted.types, since: wanted.since });
}

/** The history is in: a veto (or an expiry) ends the run; otherwise it enters. */
export function onTriggerHistory(ctx: RunContext, history: JourneyEvent[]): Transition {
  const { trigger, event } = delayed(ctx);
  ctx.state.entryDelay = null;
  if (!trigger || !event) return issue(ctx, { kind: 'load_profile' });
  const verdict = judgeTrigger(trigger, event, history, ctx.now);
  if (!verdict.fires) {
    record(ctx, {
      kind: 'condition',
      summary: `trigger re-checked after the delay: ${verdict.reason}`,
      detail: { passed: false, ...verdict.detail },
    });
    return finish(ctx, 'exited', finishReasonOf(verdict.reason), verdict.detail);
  }
  record(ctx, {
    kind: 'condition',
    summary: 'trigger re-checked after the delay: still holds',
    detail: { passed: true, events: history.length },
  });
  return issue(ctx, { kind: 'load_profile' });
}

/** An event while the run waits to enter: a veto ends it; anything else is not for it. */
export function onEntryDelayEvent(ctx: RunContext, event: JourneyEvent): Transition | null {
  const { trigger } = delayed(ctx);
  if (!ctx.state.entryDelay || !trigger || !vetoes(trigger, event, ctx.now)) return null;
  return finish(ctx, 'exited', 'vetoed', { event: event.type, eventId: event.id });
}

function delayed(ctx: RunContext): { trigger: Trigger | undefined; event: JourneyEvent | null } {
  return { trigger: ctx.definition.trigger, event: ctx.state.trigger };
}

function finishReasonOf(reason: string): FinishReason {
  if (reason === 'vetoed') return 'vetoed';
  if (reason === 'expired') return 'trigger_expired';
  // The history the rule counted is gone (erased): the run does not enter on what is left.
  return 'trigger_mismatch';
}
