import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { JourneyActivities } from '../activities';
import { databaseFailureInterceptor } from './database-failures';
import { runRegistrySinks } from './run-finished-sink';

export const workflowsPath = require.resolve('../workflows');

/** The worker's concurrency and sticky cache (see JOURNEY_WORKER_TUNING). */
export interface WorkerTuning {
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
  /** Runs kept in the sticky cache; a run evicted from it is replayed on its next task. */
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskPolls: number;
  maxConcurrentActivityTaskPolls: number;
}

/**
 * Chosen by measurement, December 2026: `npm run bench:journeys -- --runs 100 --rounds 3
 * --variant <name>=<json> …` (100 three-email runs per variant and round against the bare
 * workflow, interleaved in one process run; 2 cores shared with other work at load 10-16, so
 * only differences that held in every round count). Ratios are Cairn ÷ bare throughput.
 *
 * - Activity tasks: 50. With the data activities local, activity tasks are sends, which wait
 *   on Postgres and SMTP more than they compute: 20 at once was lower in every round (0.32,
 *   0.38, 0.32 against 0.40, 0.42, 0.39 for 50); 100 did no better than 50 (0.42 and 0.42).
 * - Workflow tasks: 40 (the SDK's). 10 did as well (0.41 against 0.40), but a workflow task
 *   stays open while its local activities run, so fewer slots would make a run wait on another
 *   run's Postgres read. A worker with 4 workflow tasks, 10 activities and 2 pollers reached
 *   0.17.
 * - Local activities: 100 (the SDK's); the main pool (WORKER_POOLS) bounds them in practice.
 * - Pollers: 10 each (the SDK's); 4 each did no better (0.43 against 0.45).
 * - Sticky cache: 1,000 runs. A cached run parked on a wait holds about 200 KB of worker memory
 *   (1,000 runs parked on a 1-hour wait: RSS 344 → 546 MB), so the SDK's default, which grows
 *   with the heap limit (2,310 runs with a 4 GB heap), would hold ~470 MB. Past 1,000 the
 *   least recently used run is evicted and replayed (its short history, milliseconds) when
 *   its timer or an event wakes it: 3,000 runs parked with the cache at 1,000 held RSS 548 MB,
 *   as 1,000 did, so 5,000 or 50,000 parked runs hold the same memory.
 */
export const JOURNEY_WORKER_TUNING: WorkerTuning = {
  maxConcurrentWorkflowTaskExecutions: 40,
  maxConcurrentActivityTaskExecutions: 50,
  maxConcurrentLocalActivityExecutions: 100,
  maxCachedWorkflows: 1_000,
  maxConcurrentWorkflowTaskPolls: 10,
  maxConcurrentActivityTaskPolls: 10,
};

export interface JourneyWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: JourneyActivities;
  /** A pre-built bundle (tests build one per run); bundled from source when omitted. */
  workflowBundle?: WorkflowBundleOption;
  /** How many activities run at once on this worker (shorthand for tuning). */
  maxConcurrentActivityTaskExecutions?: number;
  /** Replaces some of JOURNEY_WORKER_TUNING (the benchmark compares settings this way). */
  tuning?: Partial<WorkerTuning>;
  /**
   * The payload codec's (src/codec): what the API's client uses too. Bundled from source, the
   * sandbox gets its failure converter; a pre-built bundle keeps the one it was built with.
   */
  dataConverter?: DataConverter;
}

/** A worker that runs journey workflows and the activities they call. */
export function createJourneyWorker(options: JourneyWorkerOptions): Promise<Worker> {
  const tuning: WorkerTuning = {
    ...JOURNEY_WORKER_TUNING,
    ...(options.maxConcurrentActivityTaskExecutions
      ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions }
      : {}),
    ...options.tuning,
  };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    // Runs of history shape 4 report their end through this sink instead of a local activity.
    sinks: runRegistrySinks((finish) => options.activities.recordRunFinished(finish)),
    interceptors: { activity: [databaseFailureInterceptor] },
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...tuning,
  });
}
