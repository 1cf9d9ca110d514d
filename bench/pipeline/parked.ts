// When a started workflow is parked: its first workflow task (and any activity it scheduled) is
// done and nothing is pending: it sits on a timer or a signal. Asked the same way, through
// DescribeWorkflowExecution, for Cairn's runs and the bare workflows.
import type { Client } from '@temporalio/client';
import { inLanes } from './bench-support';

async function isParked(client: Client, workflowId: string): Promise<boolean> {
  const description = await client.workflow.getHandle(workflowId).describe();
  const raw = description.raw;
  return (
    description.status.name === 'RUNNING' &&
    !raw.pendingWorkflowTask &&
    (raw.pendingActivities ?? []).length === 0 &&
    description.historyLength > 3
  );
}

/** Describes the not-yet-parked workflows again and again until every one is parked. */
export async function untilAllParked(
  client: Client,
  workflowIds: string[],
  concurrency: number,
  timeoutMs: number,
): Promise<{ describes: number }> {
  let waiting = [...workflowIds];
  let describes = 0;
  const deadline = Date.now() + timeoutMs;
  while (waiting.length > 0) {
    if (Date.now() > deadline) throw new Error(`${waiting.length} workflows never parked`);
    const still: string[] = [];
    await inLanes(waiting.length, concurrency, async (i) => {
      const id = waiting[i] as string;
      describes += 1;
      if (!(await isParked(client, id).catch(() => false))) still.push(id);
    });
    waiting = still;
    if (waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { describes };
}

/** Visibility's count of running workflows of one type on one task queue. */
export async function runningCount(
  client: Client,
  workflowType: string,
  taskQueue: string,
): Promise<number> {
  const { count } = await client.workflow.count(
    `WorkflowType = '${workflowType}' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
  );
  return count;
}
