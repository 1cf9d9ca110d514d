import type { Database } from '../db/database';
import {
  customerExecutions,
  isNotFound,
  type ErasureTemporal,
  type Execution,
} from './customer-executions';

export interface HistoryDeletionDeps {
  db: Database;
  temporal: ErasureTemporal;
  heartbeat?: () => void;
  /** How long to wait for Temporal to finish deleting (it deletes in the background). */
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Deletes the history of every execution of the customer (WorkflowService
 * DeleteWorkflowExecution): their inputs, signals and results carry the customer's data, however
 * encrypted. Temporal deletes in the background, so this waits until each one is gone (describe
 * answers NOT_FOUND) and throws if one is still there at the timeout: the activity is retried.
 * Returns how many executions this call deleted.
 */
export async function deleteCustomerHistories(
  deps: HistoryDeletionDeps,
  customerId: string,
): Promise<number> {
  const executions = await customerExecutions(deps.db, deps.temporal, customerId, {
    runningOnly: false,
  });
  let deleted = 0;
  for (const execution of executions) {
    deps.heartbeat?.();
    if (await deleteExecution(deps.temporal, execution)) deleted += 1;
  }
  await awaitDeleted(deps, executions);
  return deleted;
}

/** false: Temporal had it no more (deleted before, or listed by visibility after its deletion). */
async function deleteExecution(temporal: ErasureTemporal, execution: Execution): Promise<boolean> {
  try {
    await temporal.client.workflowService.deleteWorkflowExecution({
      namespace: temporal.client.options.namespace,
      workflowExecution: execution,
    });
    return true;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return false;
  }
}

async function awaitDeleted(deps: HistoryDeletionDeps, executions: Execution[]): Promise<void> {
  const deadline = Date.now() + (deps.timeoutMs ?? 60_000);
  let remaining = executions;
  while (remaining.length > 0) {
    deps.heartbeat?.();
    const left: Execution[] = [];
    for (const execution of remaining) {
      if (await stillThere(deps.temporal, execution)) left.push(execution);
    }
    remaining = left;
    if (remaining.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(`${remaining.length} workflow histories are not deleted yet`);
    }
    await new Promise((resolve) => setTimeout(resolve, deps.pollMs ?? 200));
  }
}

export async function stillThere(
  temporal: ErasureTemporal,
  execution: Execution,
): Promise<boolean> {
  try {
    await temporal.client.workflowService.describeWorkflowExecution({
      namespace: temporal.client.options.namespace,
      execution,
    });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
