import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { JourneyActivities } from '../activities';

export const workflowsPath = require.resolve('../workflows');

export interface JourneyWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: JourneyActivities;
  /** A pre-built bundle (tests build one per run); bundled from source when omitted. */
  workflowBundle?: WorkflowBundleOption;
  /** How many activities run at once on this worker. */
  maxConcurrentActivityTaskExecutions?: number;
}

/** A worker that runs journey workflows and the activities they call. */
export function createJourneyWorker(options: JourneyWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 50,
  });
}
