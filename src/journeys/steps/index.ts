import type { Step } from '../schema';
import { branchStep } from './branch';
import { exitStep } from './exit';
import { sendStep } from './send';
import type { StepHandler, StepHandlers } from './step-handler';
import { updateProfileStep } from './update-profile';
import { waitStep } from './wait';
import { waitForEventStep } from './wait-for-event';

/**
 * Every step type of the language, one module each. Adding a step type is: its schema in
 * schema.ts (stepSchema), a module here implementing StepHandler, and one line below; the
 * compiler then insists on it (StepHandlers is keyed by every step type).
 *
 * `split` (weighted cohorts, coming with experiments) goes here as split.ts: its `enter`
 * picks a cohort from a hash of (experiment, customer) — never a random number, so the
 * interpreter stays deterministic and simulate() agrees with real runs — traces the
 * assignment, and returns `{ goto: cohort.next }`. It needs no command and no other input.
 */
const STEP_HANDLERS: StepHandlers = {
  send: sendStep,
  wait: waitStep,
  waitForEvent: waitForEventStep,
  branch: branchStep,
  updateProfile: updateProfileStep,
  exit: exitStep,
};

export function handlerOf<S extends Step>(step: S): StepHandler<S> {
  // StepHandlers pairs each type with its handler; TypeScript cannot follow that through S.
  return STEP_HANDLERS[step.type] as unknown as StepHandler<S>;
}
