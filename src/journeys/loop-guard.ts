import { finish, type RunContext } from './run-context';
import type { RunState, Transition } from './run-types';
import type { JourneyDefinition } from './schema';
import { messagesOf } from './send-plan';

/**
 * The zero-time loop guard: what a run may do between two waits on a timer. Publishing refuses a
 * loop without a wait (loops-without-wait.ts), so only a journey stored before that check, or a
 * way round it nobody has found yet, gets here. Every wait resets both counts (scheduleWait).
 *
 * Both bounds sit far above what a publishable journey can reach, so they change no decision of
 * a run that is going as it should (and none of a recorded history): between two waits such a
 * journey enters each step at most once and sends each message and its fallback at most once.
 */

/** Steps a run may enter without waiting: a loop through branches or profile updates. */
export const MAX_STEPS_PER_DECISION = 1000;

/**
 * Messages a run may send without waiting (or as many as its journey has messages and
 * fallbacks, if that is more): a send that loops ends long before hundreds reach a customer.
 */
export const MIN_SENDS_WITHOUT_WAIT = 100;

/** Counts a step entered; the run ends as failed (step_limit) when it has entered too many. */
export function enterCounted(ctx: RunContext, stepId: string): Transition | null {
  const entered = ctx.state.stepsSinceWait ?? 0;
  if (entered >= MAX_STEPS_PER_DECISION) {
    return finish(ctx, 'failed', 'step_limit', {
      message: `more than ${MAX_STEPS_PER_DECISION} steps without a wait: the journey loops without waiting`,
      step: stepId,
    });
  }
  ctx.state.stepsSinceWait = entered + 1;
  return null;
}

/** Counts a message about to be sent; the run ends as failed (send_limit) instead of sending too many. */
export function sendCounted(ctx: RunContext, stepId: string): Transition | null {
  const sent = ctx.state.sendsSinceWait ?? 0;
  const bound = sendBound(ctx.definition);
  if (sent >= bound) {
    return finish(ctx, 'failed', 'send_limit', {
      message: `${sent} messages without a wait: the journey loops without waiting, so the run stops before sending more`,
      step: stepId,
    });
  }
  ctx.state.sendsSinceWait = sent + 1;
  return null;
}

/** The run waits on a timer: time passes, and the counts start again. */
export function resetLoopGuard(state: RunState): void {
  state.stepsSinceWait = 0;
  // Absent until the run first sends, so the state of a run that never sends keeps its shape.
  if (state.sendsSinceWait !== undefined) state.sendsSinceWait = 0;
}

/** The most messages a run may send between two waits: every message and fallback once, at least. */
export function sendBound(definition: JourneyDefinition): number {
  let messages = 0;
  for (const step of definition.steps) {
    if (step.type !== 'send') continue;
    for (const message of messagesOf(step)) messages += message.fallback ? 2 : 1;
  }
  return Math.max(MIN_SENDS_WITHOUT_WAIT, messages);
}
