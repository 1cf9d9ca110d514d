import { parseDuration } from './durations';
import { carryOn, finish, record, type RunContext } from './run-context';
import type { JourneyEvent, JsonObject, Transition } from './run-types';
import { ruleApplies } from './rule-applies';

const DEFAULT_ATTRIBUTION_WINDOW = '7d';

/**
 * The journey's goal. The first goal event that applies is a conversion: the run issues
 * record_conversion (the driver credits the run's messages, attribution being the activity's
 * job) before whatever it does next, and by default finishes. Returns null when the run goes on
 * and the event may still concern the current step.
 */
export function checkGoal(ctx: RunContext, event: JourneyEvent): Transition | null {
  const goal = ctx.definition.goal;
  if (!goal || goal.event !== event.type) return null;
  if (!ruleApplies(ctx, goal, event, `goal ${goal.event}`)) return null;
  const first = ctx.state.goalReachedAt === null;
  if (first) {
    ctx.state.goalReachedAt = ctx.now;
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

/**
 * The driver recorded the conversion: the run goes on with the command that waited behind it.
 * This is taken after the run finished too (a goal that ends the run is recorded afterwards).
 */
export function onConversionRecorded(ctx: RunContext, summary: JsonObject): Transition {
  const pending = ctx.state.pendingConversion;
  if (!pending) {
    record(ctx, {
      kind: 'input_unexpected',
      summary: 'conversion_recorded without a conversion to record; nothing changed',
      detail: { input: 'conversion_recorded' },
    });
    return carryOn(ctx);
  }
  ctx.state.pendingConversion = null;
  record(ctx, {
    kind: 'conversion',
    summary: `conversion recorded for goal ${pending.event.type}`,
    detail: { eventId: pending.event.id, ...summary },
  });
  return carryOn(ctx);
}
