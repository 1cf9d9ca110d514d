import { evaluateConditionGroup } from '../conditions';
import { parseDuration } from '../durations';
import { matchMismatch } from '../event-match';
import { carryOn, record, scopeOf, type RunContext } from '../run-context';
import type { JourneyEvent, JsonObject, Transition } from '../run-types';
import type { WaitForEventStep } from '../schema';
import { outcomesDetail, outcomesSummary } from '../trace';
import { scheduleWait } from '../wait-scheduling';
import type { StepHandler } from './step-handler';

/**
 * waitForEvent: waits up to `timeout` for an event of one type, optionally about this run's
 * key (`match`) and meeting `where`. The event goes to `onEvent` (kept as context.last_event),
 * the timeout to `onTimeout`. A near miss (another cart, a failed condition) keeps the wait and
 * is traced with the reason.
 */
export const waitForEventStep: StepHandler<WaitForEventStep> = {
  enter(ctx, step) {
    const until = ctx.now + parseDuration(step.timeout);
    return scheduleWait(
      ctx,
      step.id,
      until,
      [step.event],
      `${step.event} for up to ${step.timeout}`,
    );
  },

  timer(ctx, step) {
    record(ctx, {
      kind: 'timeout',
      summary: `no matching ${step.event} event within ${step.timeout}; going to ${step.onTimeout ?? 'the end'}`,
    });
    return { goto: step.onTimeout };
  },

  event(ctx, step, event) {
    if (event.type !== step.event) return null;
    const declined = whyNot(ctx, step, event);
    if (declined) return declined;
    ctx.state.context = { ...ctx.state.context, last_event: lastEvent(event) };
    record(ctx, {
      kind: 'event_matched',
      summary: `${event.type} event received; going to ${step.onEvent ?? 'the end'}`,
      detail: { eventId: event.id },
    });
    return { goto: step.onEvent };
  },
};

/** The wait goes on, traced, when the event is about another key or fails `where`. */
function whyNot(ctx: RunContext, step: WaitForEventStep, event: JourneyEvent): Transition | null {
  const scope = scopeOf(ctx, event);
  const mismatch = step.match
    ? matchMismatch(step.match, ctx.definition.reEntry, event, scope)
    : null;
  if (mismatch) return ignore(ctx, event, `${step.id}: ${mismatch}`);
  if (!step.where) return null;
  const result = evaluateConditionGroup(step.where, scope, ctx.now);
  if (result.passed) return null;
  const summary = outcomesSummary(result.outcomes, step.where.match ?? 'all');
  return ignore(ctx, event, `${step.id}: ${summary}`, {
    outcomes: outcomesDetail(result.outcomes),
  });
}

function ignore(ctx: RunContext, event: JourneyEvent, why: string, detail: JsonObject = {}) {
  record(ctx, {
    kind: 'event_ignored',
    summary: `${event.type} event ignored by ${why}`,
    detail: { eventId: event.id, ...detail },
  });
  return carryOn(ctx);
}

/**
 * The matched event is kept as context.last_event so later steps can use it, e.g.
 * updateProfile { plan: { from: 'context.last_event.properties.plan' } }.
 */
function lastEvent(event: JourneyEvent): JsonObject {
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    properties: event.properties,
  };
}
