import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { runSourceSync, SourceSyncFailed, UnknownSourceError, type SyncOutcome } from '../sync';
import type { SourceSyncInput } from '../workflows/source-sync-names';
import { whileHeartbeating } from './heartbeat';
import type { ActivityDeps } from './types';

/**
 * Syncs a source (src/sync/run-source-sync.ts) as its schedule's workflow asks. In and out go
 * ids and counts only: the rows are read and written here. A source's failure is recorded as a
 * failed run and raised non-retryable (see src/workflows/source-sync.ts for why).
 */
export function createSourceSyncActivities(deps: ActivityDeps, clock: () => Date) {
  return {
    syncSource: async (input: SourceSyncInput): Promise<SyncOutcome> => {
      const info = currentInfo();
      try {
        // Beats while a page is read or stored too: a slow source query is not a dead worker.
        return await whileHeartbeating(() =>
          runSourceSync(
            {
              db: deps.db,
              env: deps.sourceEnv ?? process.env,
              clock,
              identifierKey: deps.identifierKey,
              emailMarketingDefault: deps.config.emailMarketingDefault ?? 'opted_in',
            },
            {
              sourceId: input.sourceId,
              workflowId: info?.workflowExecution?.workflowId ?? null,
              attempt: info?.attempt ?? 1,
            },
          ),
        );
      } catch (error) {
        if (error instanceof SourceSyncFailed) {
          throw ApplicationFailure.nonRetryable(error.message, 'SourceSyncFailed', {
            runId: error.runId,
          });
        }
        if (error instanceof UnknownSourceError) {
          throw ApplicationFailure.nonRetryable(error.message, 'UnknownSource');
        }
        throw error;
      }
    },
  };
}

function currentInfo() {
  try {
    return Context.current().info;
  } catch {
    return null;
  }
}
