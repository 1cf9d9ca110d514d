import { patched } from '@temporalio/workflow';
import { LEAN_RUN_HISTORY } from './data-activities';
import { FAILED_RUNS_FAIL_THE_WORKFLOW } from './run-failure';

/**
 * Which commands a run gives Temporal, fixed for the run when it starts (see the README, "How to
 * change journey code safely"):
 *   1 — before the lean-run-history patch: data activities as activity tasks, JourneyStep and
 *       JourneyStatus upserted together on every change.
 *   2 — the lean-run-history patch: data activities as local activities, one upsert per workflow
 *       task of the keys that changed.
 *   3 — asked for by the starter in the run's input (`historyShape: 3`, what routing, explicit
 *       and bulk starts send): as 2, but the keys are upserted only when the run parks (a timer,
 *       a wait for an event) or ends, the profile is loaded at entry only when the journey reads
 *       it (src/journeys/profile-reads.ts), and the run asks no patch. A patch is one marker event and
 *       one TemporalChangeVersion upsert in every run that asks it; the input is in the history
 *       already, so it replays the same for free. A run's current details still show the step it
 *       is on at every moment.
 *   4 — as 3, but the run reports its end to the runs registry through the worker's sink
 *       (run-finished-sink.ts) instead of a recordRunFinished local activity: no marker, no
 *       activation more, and the decision trace stays out of the history.
 *   5 — as 4, and a message held back by quiet hours is recorded on its delivery (pending,
 *       reason quiet_hours, until when) by a recordHeldDelivery local activity before the wait.
 * Runs whose input names no shape asked `patched()` and keep asking it, so the histories of runs
 * in flight replay unchanged. Workers must be deployed before the API that starts runs of a new
 * shape: an older worker would not know it and take shape 2.
 */
export type HistoryShape = 1 | 2 | 3 | 4 | 5;

/** The shape every run started now gets (RunInput.historyShape). */
export const CURRENT_HISTORY_SHAPE = 5 as const;

/** Shapes a starter names in the run's input; older ones are told apart by their patch. */
const NAMED_SHAPES: readonly HistoryShape[] = [3, 4, 5];

/** Asked once, first thing in a run: the run keeps this shape until it ends or continues as new. */
export function historyShapeOf(input: { historyShape?: number }): HistoryShape {
  const named = NAMED_SHAPES.find((shape) => shape === input.historyShape);
  if (named) return named;
  return patched(LEAN_RUN_HISTORY) ? 2 : 1;
}

/** Data activities run as local activities from shape 2 on. */
export const hasLocalDataActivities = (shape: HistoryShape): boolean => shape >= 2;

/**
 * Whether a run the interpreter ended as failed (or whose journey code threw) fails its
 * workflow: always from shape 3 on; before it, behind its patch, asked where it applies.
 */
export function failedRunsFailTheWorkflow(shape: HistoryShape): boolean {
  return shape >= 3 || patched(FAILED_RUNS_FAIL_THE_WORKFLOW);
}

/** From shape 4 on the run's end reaches the runs registry through the worker's sink. */
export const finishReportedBySink = (shape: HistoryShape): boolean => shape >= 4;

/** From shape 5 on a message held back by quiet hours is recorded on its delivery first. */
export const recordsHeldMessages = (shape: HistoryShape): boolean => shape >= 5;

/** From shape 3 on the search attributes are upserted only when the run parks or ends. */
export const upsertsOnlyWhenParked = (shape: HistoryShape): boolean => shape >= 3;

/** From shape 3 on a journey that reads no profile enters without loading one. */
export function profileAtEntry(shape: HistoryShape): 'load' | 'when_read' {
  return shape >= 3 ? 'when_read' : 'load';
}
