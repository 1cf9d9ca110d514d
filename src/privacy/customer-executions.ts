import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Database } from '../db/database';
import { customerRunRows } from '../routing/customer-erasure';
import { CustomerIdKey } from '../workflows/search-attributes';

/** Temporal as an erasure reaches it: the client (with the codec) and the journeys' task queue. */
export interface ErasureTemporal {
  client: Client;
  taskQueue: string;
}

/** One Temporal execution (a run of a workflow id). */
export interface Execution {
  workflowId: string;
  runId: string;
}

/**
 * The customer's executions Temporal holds: the registry's rows (exact, including ended runs of a
 * re-entered journey under the same workflow id) and what visibility lists under the CustomerId
 * search attribute (the earlier runs of a chain that continued as new, and any run the registry
 * does not know). A registry row without a run id yet is asked of Temporal by its workflow id,
 * and counted only if Temporal says it is this customer's run.
 */
export async function customerExecutions(
  db: Database,
  temporal: ErasureTemporal,
  customerId: string,
  options: { runningOnly: boolean },
): Promise<Execution[]> {
  const found = new Map<string, Execution>();
  const add = (execution: Execution) =>
    found.set(`${execution.workflowId}\n${execution.runId}`, execution);
  for (const row of await customerRunRows(db, customerId)) {
    if (options.runningOnly && row.status !== 'running') continue;
    if (row.temporalRunId) add({ workflowId: row.workflowId, runId: row.temporalRunId });
    else {
      const latest = await latestRunOf(temporal, row.workflowId, customerId);
      if (latest) add(latest);
    }
  }
  const query = customerQuery(customerId, options.runningOnly);
  for await (const info of temporal.client.workflow.list({ query })) {
    add({ workflowId: info.workflowId, runId: info.runId });
  }
  return [...found.values()];
}

/** The visibility query for a customer's runs. Customer ids hold no quotes (src/contract). */
export function customerQuery(customerId: string, runningOnly: boolean): string {
  const base = `CustomerId = "${customerId}"`;
  return runningOnly ? `${base} AND ExecutionStatus = "Running"` : base;
}

/** The latest run of a workflow id, if Temporal has one and it is this customer's. */
export async function latestRunOf(
  temporal: ErasureTemporal,
  workflowId: string,
  customerId: string,
): Promise<(Execution & { running: boolean }) | null> {
  try {
    const description = await temporal.client.workflow.getHandle(workflowId).describe();
    if (description.typedSearchAttributes.get(CustomerIdKey) !== customerId) return null;
    return {
      workflowId,
      runId: description.runId,
      running: description.status.name === 'RUNNING',
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Temporal's "no such workflow" in any of its forms: the SDK's error, or gRPC NOT_FOUND. */
export function isNotFound(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth += 1) {
    if (e instanceof WorkflowNotFoundError) return true;
    if (typeof e !== 'object') return false;
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    if (code === 5) return true;
    e = cause;
  }
  return false;
}
