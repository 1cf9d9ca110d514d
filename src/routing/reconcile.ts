import type { RunRegistryStatus } from '../db/schema';
import { markRunEnded, type RunRow } from './run-registry';
import { isWorkflowNotFound, withTemporalDeadline } from './temporal-call';
import type { RoutingDeps } from './types';

const STATUS_BY_TEMPORAL: Record<string, Exclude<RunRegistryStatus, 'running'>> = {
  COMPLETED: 'completed',
  CONTINUED_AS_NEW: 'completed',
  CANCELLED: 'cancelled',
  TERMINATED: 'cancelled',
  FAILED: 'failed',
  TIMED_OUT: 'failed',
};

/**
 * A registry row said running but Temporal says the workflow is gone: record how it ended, as
 * far as Temporal still knows, so routing stops sending it events.
 */
export async function reconcileEndedRun(
  deps: RoutingDeps,
  row: Pick<RunRow, 'id' | 'workflowId' | 'temporalRunId'>,
): Promise<void> {
  // A start not yet confirmed by Temporal is in flight (or will be retried by its trigger
  // event's routing): "not found" means "not yet", not "ended".
  if (!row.temporalRunId) return;
  let status: Exclude<RunRegistryStatus, 'running'> = 'failed';
  let reason = 'not_found';
  try {
    const handle = deps.temporal.workflow.getHandle(row.workflowId, row.temporalRunId ?? undefined);
    const description = await withTemporalDeadline(deps, () => handle.describe());
    // The signal raced with a continue-as-new or a restart: the run is alive after all.
    if (description.status.name === 'RUNNING') return;
    const ended = STATUS_BY_TEMPORAL[description.status.name];
    if (ended) {
      status = ended;
      reason = `temporal_${description.status.name.toLowerCase()}`;
    }
  } catch (error) {
    if (!isWorkflowNotFound(error)) throw error;
  }
  await markRunEnded(deps.db, row.id, status, reason);
  deps.logger?.info(
    { workflowId: row.workflowId, status, reason },
    'run ended outside the registry',
  );
}
