import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import {
  HOUSEKEEPING_WORKFLOW_TYPE,
  type HousekeepingInput,
} from '../workflows/housekeeping-names';
import { upsertSchedule } from './upsert-schedule';

/** One schedule per task queue, as the score schedules (every test file has its own queue). */
export function housekeepingScheduleId(taskQueue: string): string {
  return `cairn-housekeeping:${taskQueue}`;
}

const DAILY_MS = 24 * 3_600_000;

/**
 * Creates the daily housekeeping schedule, or brings an existing one to this process's settings
 * with its state kept (an operator's pause), as every worker starts. Skip on overlap: a run still
 * working off a backlog is not doubled.
 */
export async function ensureHousekeepingSchedule(
  client: Client,
  options: { taskQueue: string } & HousekeepingInput,
): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = housekeepingScheduleId(options.taskQueue);
  const parts = {
    spec: { intervals: [{ every: DAILY_MS }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: HOUSEKEEPING_WORKFLOW_TYPE,
      taskQueue: options.taskQueue,
      workflowId: `housekeeping:${options.taskQueue}`,
      args: [{ specMessageRetentionMs: options.specMessageRetentionMs }] as [HousekeepingInput],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: DAILY_MS },
  };
  return upsertSchedule(client, scheduleId, parts);
}
