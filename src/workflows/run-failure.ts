import { ApplicationFailure } from '@temporalio/workflow';
import type { Decision, RunState } from '../journeys/run-types';

/**
 * The patch behind which a failed run fails its workflow (see the README, "How to change
 * journey code safely"). Before it, a run the interpreter ended as failed completed in Temporal,
 * and an error thrown by the journey code failed the workflow task on every retry.
 */
export const FAILED_RUNS_FAIL_THE_WORKFLOW = 'failed-runs-fail-the-workflow';

/** The ApplicationFailure type of every failed run; its message starts with the reason. */
export const RUN_FAILED_TYPE = 'JourneyRunFailed';

/** The finish reason in the runs registry for an error thrown by the journey code. */
export const JOURNEY_CODE_ERROR = 'journey_code_error';
/** ... and for an error of the workflow's own code (outside the interpreter). */
export const WORKFLOW_CODE_ERROR = 'workflow_code_error';

// Journey code's error messages name ids and settings of the definition, never profile values;
// the cap keeps a runaway message out of Temporal's failure and the registry.
const MAX_EXPLANATION = 300;

/** An error the pure journey code threw, told apart from the driver's own. */
export class JourneyCodeError extends Error {
  override readonly name = 'JourneyCodeError';
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

/** Runs a call into the interpreter (startRun, advance), marking what it throws. */
export function interpret<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new JourneyCodeError(error);
  }
}

export interface CodeError {
  reason: typeof JOURNEY_CODE_ERROR | typeof WORKFLOW_CODE_ERROR;
  failure: ApplicationFailure;
  /** The trace entry that says why the run ended. */
  decision: Decision;
}

/**
 * An error thrown by the pure journey code (a step that does not exist, corrupt state) or by the
 * workflow's own code; `state` is null when the run failed before it had one.
 */
export function codeErrorOf(error: unknown, state: RunState | null): CodeError {
  const reason = error instanceof JourneyCodeError ? JOURNEY_CODE_ERROR : WORKFLOW_CODE_ERROR;
  const explanation = (error instanceof Error ? error.message : String(error)).slice(
    0,
    MAX_EXPLANATION,
  );
  const stepId = state?.currentStepId ?? null;
  return {
    reason,
    failure: runFailure(reason, explanation, stepId),
    decision: {
      at: Date.now(),
      stepId,
      kind: 'finished',
      summary: `run failed (${reason}): ${explanation}`,
      detail: { reason, message: explanation },
    },
  };
}

/** The failure for a run the interpreter itself ended as failed (its last decision says why). */
export function decidedFailureOf(state: RunState): ApplicationFailure {
  const reason = state.finishReason ?? 'failed';
  const finished = [...state.trace].reverse().find((d) => d.kind === 'finished');
  const message = finished?.detail?.message;
  const explanation = typeof message === 'string' ? message : (finished?.summary ?? reason);
  return runFailure(reason, explanation.slice(0, MAX_EXPLANATION), state.currentStepId);
}

function runFailure(reason: string, explanation: string, stepId: string | null) {
  return ApplicationFailure.create({
    type: RUN_FAILED_TYPE,
    message: `${reason}: ${explanation}`,
    nonRetryable: true,
    details: [{ reason, stepId }],
  });
}
