import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { journeyRuns } from '../db/schema';
import { invalidRequest } from './failures';
import type { RunFinishedRequest, RunRecordResult, RunStartedRequest } from './types';

const FINISHED_STATUSES = new Set<string>(['completed', 'exited', 'cancelled', 'failed']);

/** Keeps the runs registry in step with Temporal; both writes touch only the running row. */
export function createRunActivities(db: Database, clock: () => Date) {
  return {
    recordRunStarted: async (request: RunStartedRequest): Promise<RunRecordResult> => {
      requireText('recordRunStarted', 'workflowId', request.workflowId);
      requireText('recordRunStarted', 'temporalRunId', request.temporalRunId);
      const rows = await db
        .update(journeyRuns)
        .set({ temporalRunId: request.temporalRunId })
        .where(
          and(eq(journeyRuns.workflowId, request.workflowId), eq(journeyRuns.status, 'running')),
        )
        .returning({ id: journeyRuns.id });
      return { updated: rows.length > 0 };
    },

    /** Idempotent: once the row is finished there is no running row left to change. */
    recordRunFinished: async (request: RunFinishedRequest): Promise<RunRecordResult> => {
      requireText('recordRunFinished', 'workflowId', request.workflowId);
      requireText('recordRunFinished', 'finishReason', request.finishReason);
      if (!FINISHED_STATUSES.has(request.status)) {
        throw invalidRequest(
          'recordRunFinished',
          `status must be one of ${[...FINISHED_STATUSES].join(', ')}`,
        );
      }
      const rows = await db
        .update(journeyRuns)
        .set({
          status: request.status,
          finishReason: request.finishReason,
          endedAt: clock(),
          ...(request.trace ? { trace: request.trace } : {}),
        })
        .where(
          and(eq(journeyRuns.workflowId, request.workflowId), eq(journeyRuns.status, 'running')),
        )
        .returning({ id: journeyRuns.id });
      return { updated: rows.length > 0 };
    },
  };
}

function requireText(activity: string, field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 500) {
    throw invalidRequest(activity, `${field} must be a non-empty string of at most 500 characters`);
  }
}
