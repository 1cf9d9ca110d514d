import { evaluateConditionGroup } from '../conditions';
import { parseDuration } from '../durations';
import { matchMismatch } from '../event-match';
import { carryOn, issue, record, scopeOf, type RunContext } from '../run-context';
import type { JourneyEvent, JsonObject, Transition } from '../run-types';
import type { WaitForEventStep } from '../schema';
import { groupReadsSegments } from '../segment-reads';
import { outcomesDetail, outcomesSummary } from '../trace';
import { scheduleWait } from '../wait-scheduling';
import type { StepHandler, StepResult } from './step-handler';

/**
 * waitForEvent: waits up to `timeout` for an event of one type, optionally about this run's
 * key (`match`) and meeting `where`. The event goes to `onEvent` (kept as context.last_event),
 * the timeout to `onTimeout`. A near miss (another cart, a failed condition) keeps the wait and
 * is traced with the reason.
 *
 * A `where` that reads segments.<id> decides on membership as it is when the event arrives, not
 * as it was when the run last loaded the profile: the step asks for the profile first, holds the
 * event (and any that arrive meanwhile) and decides once the profile is in.
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
    const held = ctx.state.eventsAwaitingProfile;
    if (held) {
      ctx.state.eventsAwaitingProfile = [...held, event];
      return carryOn(ctx);
    }
    if (groupReadsSegments(step.where)) {
      const mismatch = keyMismatch(ctx, step, event);
      if (mismatch) return mismatch;
      ctx.state.eventsAwaitingProfile = [event];
      record(ctx, {
        kind: 'condition',
        summary: `${event.type} event received; loading the profile to read segment membership`,
        detail: { eventId: event.id },
      });
      return issue(ctx, { kind: 'load_profile' });
    }
    return whyNot(ctx, step, event) ?? take(ctx, step, event);
  },

  profile(ctx, step, profile) {
    ctx.state.profile = profile;
    const held = ctx.state.eventsAwaitingProfile ?? [];
    ctx.state.eventsAwaitingProfile = null;
    for (const [index, event] of held.entries()) {
      if (whyNot(ctx, step, event)) continue;
      return { ...take(ctx, step, event), replay: held.slice(index + 1) };
    }
    // None of them passed: the wait goes on until the deadline it had.
    const until = ctx.state.stepStartedAt + parseDuration(step.timeout);
    return scheduleWait(ctx, step.id, until, [step.event], `${step.event} (still waiting)`);
  },
};

function take(ctx: RunContext, step: WaitForEventStep, event: JourneyEvent): StepResult {
  ctx.state.context = { ...ctx.state.context, last_event: lastEvent(event) };
  record(ctx, {
    kind: 'event_matched',
    summary: `${event.type} event received; going to ${step.onEvent ?? 'the end'}`,
    detail: { eventId: event.id },
  });
  return { goto: step.onEvent };
}

function keyMismatch(
  ctx: RunContext,
  step: WaitForEventStep,
  event: JourneyEvent,
): Transition | null {
  const mismatch = step.match
    ? matchMismatch(step.match, ctx.definition.reEntry, event, scopeOf(ctx, event))
    : null;
  return mismatch ? ignore(ctx, event, `${step.id}: ${mismatch}`) : null;
}

/** The wait goes on, traced, when the event is about another key or fails `where`. */
function whyNot(ctx: RunContext, step: WaitForEventStep, event: JourneyEvent): Transition | null {
  const mismatch = keyMismatch(ctx, step, event);
  if (mismatch) return mismatch;
  if (!step.where) return null;
  const result = evaluateConditionGroup(step.where, scopeOf(ctx, event), ctx.now);
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
