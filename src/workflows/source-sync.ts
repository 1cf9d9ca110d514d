import { proxyActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import type { SourceSyncInput } from './source-sync-names';

/**
 * The retry policy, decided: a run that fails because its SOURCE failed (refused connection,
 * HTTP 500, bad JSON, a query error) is recorded as failed by the activity and raised as a
 * non-retryable SourceSyncFailed — recorded instead of retried. The schedule is its retry: the
 * next interval resumes from the cursor, which moved only with stored pages, and every failed
 * attempt stays visible as a failed run rather than being hidden by a retry that succeeded later.
 * What IS retried is Cairn's own side failing (its Postgres away, the worker dying mid-run: the
 * heartbeat notices), where nothing could be recorded; the next attempt closes the abandoned run.
 */
const { syncSource } = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['SourceSyncFailed', 'UnknownSource'],
  },
});

/**
 * What a source's Temporal Schedule starts (src/sync/source-schedule.ts): one activity that reads
 * the source from its cursor and stores it page by page. The schedule's overlap policy (skip)
 * keeps two runs of one source from reading at once.
 */
export async function sourceSyncWorkflow(input: SourceSyncInput) {
  return syncSource(input);
}
