import { finish } from '../run-context';
import type { ExitStep } from '../schema';
import type { StepHandler } from './step-handler';

/** exit: ends the run at once, exited with reason exit_step (and the step's own reason). */
export const exitStep: StepHandler<ExitStep> = {
  enter: (ctx, step) =>
    finish(ctx, 'exited', 'exit_step', step.reason ? { reason: step.reason } : undefined),
};
