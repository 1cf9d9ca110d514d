import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { RunFinishedRequest } from '../activities/types';

/**
 * How a run of history shape 4 tells the runs registry it ended: a call the worker carries out
 * after the workflow task's activation and before it hands the completion to Temporal, with no
 * event in the history (src/runtime/run-finished-sink.ts is the worker's side). A local activity
 * did the same job at the cost of a marker event, an activation more and the trace in the
 * history; the registry row is a projection of the run that routing reconciles with Temporal
 * (src/routing/reconcile.ts), so it need not be part of the run's history. Never called while a
 * worker replays.
 */
export interface RunRegistrySinks extends Sinks {
  runRegistry: {
    runFinished(finish: RunFinishedRequest): void;
  };
}

const { runRegistry } = proxySinks<RunRegistrySinks>();

export function reportRunFinished(finish: RunFinishedRequest): void {
  runRegistry.runFinished(finish);
}
