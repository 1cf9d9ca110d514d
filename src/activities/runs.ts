import type { Database } from '../db/database';
import type { RunRegistryStatus } from '../db/schema';
import { settleUnsentOfRun } from '../deliveries/ledger';
import { recordRunFinished, recordRunningRunId } from '../routing/run-registry';
import { invalidRequest } from './failures';
import type { RunFinishedRequest, RunRecordResult, RunStartedRequest } from './types';

type FinishedStatus = Exclude<RunRegistryStatus, 'running'>;

/** Why a message still waiting when its run ended was never sent. */
export const RUN_ENDED_BEFORE_SEND = 'run_ended_before_send';

const FINISHED_STATUSES = new Set<string>(['completed', 'exited', 'cancelled', 'failed']);

/**
 * Keeps the runs registry in step with Temporal; both writes touch only the running row (the SQL
 * is the registry's, src/routing/run-registry.ts).
 */
export function createRunActivities(db: Database, clock: () => Date) {
  return {
    recordRunStarted: async (request: RunStartedRequest): Promise<RunRecordResult> => {
      requireText('recordRunStarted', 'workflowId', request.workflowId);
      requireText('recordRunStarted', 'temporalRunId', request.temporalRunId);
      const updated = await recordRunningRunId(db, request.workflowId, request.temporalRunId);
      return { updated };
    },

    /** Idempotent: once the row is finished there is no running row left to change. */
    recordRunFinished: async (request: RunFinishedRequest): Promise<RunRecordResult> => {
      requireText('recordRunFinished', 'workflowId', request.workflowId);
      requireText('recordRunFinished', 'finishReason', request.finishReason);
      if (!isFinished(request.status)) {
        throw invalidRequest(
          'recordRunFinished',
          `status must be one of ${[...FINISHED_STATUSES].join(', ')}`,
        );
      }
      if (request.unsentDeliveries) {
        requireText(
          'recordRunFinished',
          'unsentDeliveries.customerId',
          request.unsentDeliveries.customerId,
        );
        requireText(
          'recordRunFinished',
          'unsentDeliveries.keyPrefix',
          request.unsentDeliveries.keyPrefix,
        );
        await settleUnsentOfRun(db, request.unsentDeliveries, RUN_ENDED_BEFORE_SEND);
      }
      const updated = await recordRunFinished(db, {
        workflowId: request.workflowId,
        status: request.status,
        finishReason: request.finishReason,
        endedAt: request.endedAt === undefined ? clock() : endedAtOf(request.endedAt),
        ...(request.trace ? { trace: request.trace } : {}),
      });
      return { updated };
    },
  };
}

function endedAtOf(text: unknown): Date {
  const at = typeof text === 'string' ? new Date(text) : new Date(NaN);
  if (Number.isNaN(at.getTime())) {
    throw invalidRequest('recordRunFinished', 'endedAt must be an ISO 8601 time');
  }
  return at;
}

function isFinished(status: RunRegistryStatus): status is FinishedStatus {
  return FINISHED_STATUSES.has(status);
}

function requireText(activity: string, field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 500) {
    throw invalidRequest(activity, `${field} must be a non-empty string of at most 500 characters`);
  }
}
