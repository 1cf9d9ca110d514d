import { enterCounted } from './loop-guard';
import { finish, record, stepById, type RunContext } from './run-context';
import type { Transition } from './run-types';
import type { Step } from './schema';
import { handlerOf } from './steps';
import type { StepResult } from './steps/step-handler';

/** Enters `stepId` and keeps going through zero-time steps until there is a command. */
export function runFrom(ctx: RunContext, stepId: string | undefined): Transition {
  let next = stepId;
  for (;;) {
    if (next === undefined) return finish(ctx, 'completed', 'completed');
    // The count lives in the state: branches and sends hand control to the driver in between.
    const stopped = enterCounted(ctx, next);
    if (stopped) return stopped;
    const result = enterStep(ctx, stepById(ctx, next));
    if (!('goto' in result)) return result;
    next = result.goto;
  }
}

/** Carries a step result on: a command as it is, a `goto` into the next step. */
export function continueWith(ctx: RunContext, result: StepResult): Transition {
  return 'goto' in result ? runFrom(ctx, result.goto) : result;
}

function enterStep(ctx: RunContext, step: Step): StepResult {
  const { state } = ctx;
  state.visits[step.id] = (state.visits[step.id] ?? 0) + 1;
  state.currentStepId = step.id;
  state.stepStartedAt = ctx.now;
  record(ctx, {
    kind: 'step_started',
    summary: `entered ${step.type} step ${step.id} (visit ${state.visits[step.id]})`,
  });
  return handlerOf(step).enter(ctx, step);
}
