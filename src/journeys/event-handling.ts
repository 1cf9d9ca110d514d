import { evaluateConditionGroup, sameValue } from './conditions';
import { parseDuration } from './durations';
import { resolveField } from './field-paths';
import { carryOn, currentStep, finish, record, scopeOf, type RunContext } from './run-context';
import type { JourneyEvent, JsonObject, Transition } from './run-types';
import type { ConditionGroup, WaitForEventStep } from './schema';
import { runFrom } from './step-entry';
import { outcomesDetail, outcomesSummary } from './trace';

/** How many recent event ids a run remembers to drop redeliveries. */
export const MAX_SEEN_EVENT_IDS = 200;

/**
 * An event for this run. Journey-level rules come first (goal, then exitOn, whatever the
 * current step); then the current step may consume it. Anything else is ignored and the
 * driver carries on with the same command.
 */
export function handleEvent(ctx: RunContext, event: JourneyEvent): Transition {
  const { state } = ctx;
  if (state.seenEventIds.includes(event.id)) {
    record(ctx, {
      kind: 'event_ignored',
      summary: `duplicate ${event.type} event ignored`,
      detail: { eventId: event.id },
    });
    return carryOn(ctx);
  }
  rememberEvent(ctx, event.id);
  noteEngagement(ctx, event);

  const goal = checkGoal(ctx, event);
  if (goal) return goal;
  const exit = checkExitOn(ctx, event);
  if (exit) return exit;

  const step = currentStep(ctx);
  const pending = state.pendingCommand;
  if (step?.type === 'waitForEvent' && pending?.kind === 'wait' && step.event === event.type) {
    return offerToWaitingStep(ctx, step, event);
  }
  if (ctx.definition.goal?.event !== event.type) {
    const where = step ? `step ${step.id}` : 'the run';
    record(ctx, {
      kind: 'event_ignored',
      summary: `${event.type} event ignored: ${where} is not waiting for it`,
      detail: { eventId: event.id },
    });
  }
  return carryOn(ctx);
}

const DEFAULT_ATTRIBUTION_WINDOW = '7d';

const ENGAGEMENT_KINDS: Record<string, 'opened' | 'clicked'> = {
  email_opened: 'opened',
  push_opened: 'opened',
  in_app_read: 'opened',
  email_clicked: 'clicked',
  sms_clicked: 'clicked',
};

/**
 * Opens and clicks of this run's own messages (the event names the step that sent it) feed the
 * engagement.* condition paths, whatever step the run is at.
 */
function noteEngagement(ctx: RunContext, event: JourneyEvent): void {
  const kind = ENGAGEMENT_KINDS[event.type];
  const { stepId: named, deliveryId } = event.properties;
  const stepId =
    typeof named === 'string'
      ? named
      : typeof deliveryId === 'string'
        ? ctx.state.deliverySteps?.[deliveryId]
        : undefined;
  if (!kind || stepId === undefined) return;
  const engagement = (ctx.state.engagement ??= {});
  const seen = (engagement[stepId] ??= {});
  if (seen[kind] !== undefined) return;
  seen[kind] = ctx.now;
  record(ctx, {
    kind: 'engagement',
    summary: `${stepId}: ${kind} (${event.type})`,
    detail: { eventId: event.id, deliveryId: (event.properties.deliveryId as string) ?? null },
  });
}

function rememberEvent(ctx: RunContext, id: string): void {
  const seen = ctx.state.seenEventIds;
  seen.push(id);
  if (seen.length > MAX_SEEN_EVENT_IDS) seen.splice(0, seen.length - MAX_SEEN_EVENT_IDS);
}

function checkGoal(ctx: RunContext, event: JourneyEvent): Transition | null {
  const goal = ctx.definition.goal;
  if (!goal || goal.event !== event.type) return null;
  if (!passes(ctx, goal.when, event, `goal ${goal.event}`)) return null;
  const first = ctx.state.goalReachedAt === null;
  if (first) {
    ctx.state.goalReachedAt = ctx.now;
    // The driver credits the run's messages (attribution) before it carries on or finishes.
    ctx.state.pendingConversion = {
      event,
      windowMs: parseDuration(goal.within ?? DEFAULT_ATTRIBUTION_WINDOW),
      revenuePath: goal.revenue ?? 'event.properties.revenue',
    };
  }
  record(ctx, {
    kind: 'goal',
    summary: first
      ? `goal reached: ${event.type}`
      : `goal event ${event.type} again (goal already reached)`,
    detail: { eventId: event.id },
  });
  return goal.exit === false
    ? null
    : finish(ctx, 'completed', 'goal_reached', { eventId: event.id });
}

function checkExitOn(ctx: RunContext, event: JourneyEvent): Transition | null {
  for (const rule of ctx.definition.exitOn ?? []) {
    if (rule.event !== event.type) continue;
    if (passes(ctx, rule.when, event, `exitOn ${rule.event}`)) {
      return finish(ctx, 'exited', 'exit_event', { event: event.type, eventId: event.id });
    }
  }
  return null;
}

/** True without conditions; otherwise evaluates them and traces the outcome when they fail. */
function passes(
  ctx: RunContext,
  when: ConditionGroup | undefined,
  event: JourneyEvent,
  label: string,
): boolean {
  if (!when) return true;
  const result = evaluateConditionGroup(when, scopeOf(ctx, event), ctx.now);
  if (!result.passed) {
    record(ctx, {
      kind: 'condition',
      summary: `${label} conditions not met: ${outcomesSummary(result.outcomes, when.match ?? 'all')}`,
      detail: { eventId: event.id, outcomes: outcomesDetail(result.outcomes) },
    });
  }
  return result.passed;
}

function offerToWaitingStep(
  ctx: RunContext,
  step: WaitForEventStep,
  event: JourneyEvent,
): Transition {
  const mismatch = keyMismatch(ctx, step, event);
  if (mismatch) {
    record(ctx, {
      kind: 'event_ignored',
      summary: `${event.type} event ignored by ${step.id}: ${mismatch}`,
      detail: { eventId: event.id },
    });
    return carryOn(ctx);
  }
  if (step.where) {
    const result = evaluateConditionGroup(step.where, scopeOf(ctx, event), ctx.now);
    if (!result.passed) {
      record(ctx, {
        kind: 'event_ignored',
        summary: `${event.type} event ignored by ${step.id}: ${outcomesSummary(result.outcomes, step.where.match ?? 'all')}`,
        detail: { eventId: event.id, outcomes: outcomesDetail(result.outcomes) },
      });
      return carryOn(ctx);
    }
  }
  ctx.state.context = { ...ctx.state.context, last_event: lastEvent(event) };
  record(ctx, {
    kind: 'event_matched',
    summary: `${event.type} event received; going to ${step.onEvent ?? 'the end'}`,
    detail: { eventId: event.id },
  });
  return runFrom(ctx, step.onEvent);
}

/** Why the event's key does not match, or null when it does (or the step has no match). */
function keyMismatch(ctx: RunContext, step: WaitForEventStep, event: JourneyEvent): string | null {
  if (!step.match) return null;
  const expected = resolveField(step.match.equals, scopeOf(ctx, event));
  if (expected.missing) return `${step.match.equals} is missing, so no event can match`;
  const actual = event.properties[step.match.key];
  if (actual === undefined) return `event lacks property ${step.match.key}`;
  return sameValue(actual, expected.value)
    ? null
    : `${step.match.key} does not equal ${step.match.equals}`;
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
