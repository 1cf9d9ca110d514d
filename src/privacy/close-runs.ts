import type { Database } from '../db/database';
import { cancelRunsById } from '../routing/cancel-runs';
import { customerRunRows } from '../routing/customer-erasure';
import { markRunEnded } from '../routing/run-registry';
import { cancelSignal } from '../workflows/messages';
import {
  customerExecutions,
  isNotFound,
  latestRunOf,
  type ErasureTemporal,
} from './customer-executions';

/** The reason erased customers' runs end with (their trace, their registry row). */
export const ERASURE_REASON = 'customer_erased';

export interface RunClosingDeps {
  db: Database;
  temporal: ErasureTemporal;
  defaultTimeZone: string;
  /** How long a cancelled run may take to end (a send in flight finishes first) before it is terminated. */
  graceMs: number;
  /** Called while waiting, so the activity doing this is seen alive. */
  heartbeat?: () => void;
  /** Pause between two looks at the runs still open. */
  pollMs?: number;
}

export interface ClosedRuns {
  cancelled: number;
  terminated: number;
}

/**
 * Ends every running run of the customer, from outside the workflow: the cancel signal through
 * the runs API's own path (src/routing/cancel-runs.ts) for the registry's runs and directly for
 * runs only visibility knows; then waits for each to close, and terminates the ones still open
 * after the grace period. The registry rows of runs that ended without reporting it (terminated)
 * are ended too, so the registry has no running run of the customer left.
 */
export async function closeCustomerRuns(
  deps: RunClosingDeps,
  customerId: string,
): Promise<ClosedRuns> {
  const running = await customerExecutions(deps.db, deps.temporal, customerId, {
    runningOnly: true,
  });
  const workflowIds = [...new Set(running.map((execution) => execution.workflowId))];
  if (workflowIds.length > 0) await signalCancel(deps, workflowIds);
  const terminated = await awaitClosed(deps, customerId, workflowIds);
  await endStaleRegistryRows(deps, customerId);
  return { cancelled: workflowIds.length - terminated, terminated };
}

async function signalCancel(deps: RunClosingDeps, workflowIds: string[]): Promise<void> {
  const routing = {
    db: deps.db,
    temporal: deps.temporal.client,
    taskQueue: deps.temporal.taskQueue,
    defaultTimeZone: deps.defaultTimeZone,
  };
  const outcomes = await cancelRunsById(routing, workflowIds, ERASURE_REASON);
  if (outcomes.some((outcome) => outcome.outcome === 'temporal_unavailable')) {
    throw new Error('Temporal did not take every cancel signal');
  }
  // Runs the registry does not know (not_found there) get the signal straight away.
  for (const { workflowId, outcome } of outcomes) {
    if (outcome !== 'not_found') continue;
    try {
      await deps.temporal.client.workflow
        .getHandle(workflowId)
        .signal(cancelSignal, { reason: ERASURE_REASON });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/** Waits until no run of these ids is open; terminates those open past the grace. */
async function awaitClosed(
  deps: RunClosingDeps,
  customerId: string,
  workflowIds: string[],
): Promise<number> {
  const deadline = Date.now() + deps.graceMs;
  const terminatedIds = new Set<string>();
  let open = workflowIds;
  while (open.length > 0) {
    deps.heartbeat?.();
    const stillOpen: string[] = [];
    for (const workflowId of open) {
      const latest = await latestRunOf(deps.temporal, workflowId, customerId);
      if (!latest?.running) continue;
      if (Date.now() < deadline) stillOpen.push(workflowId);
      else {
        await terminate(deps, workflowId);
        terminatedIds.add(workflowId);
      }
    }
    open = stillOpen;
    if (open.length > 0) await pause(deps.pollMs ?? 200);
  }
  return terminatedIds.size;
}

async function terminate(deps: RunClosingDeps, workflowId: string): Promise<void> {
  try {
    await deps.temporal.client.workflow.getHandle(workflowId).terminate(ERASURE_REASON);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Registry rows still running whose run Temporal has closed (terminated runs report nothing). */
async function endStaleRegistryRows(deps: RunClosingDeps, customerId: string): Promise<void> {
  for (const row of await customerRunRows(deps.db, customerId)) {
    if (row.status !== 'running') continue;
    const latest = await latestRunOf(deps.temporal, row.workflowId, customerId);
    if (latest?.running) continue;
    await markRunEnded(deps.db, row.id, 'cancelled', ERASURE_REASON);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
