import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';

/**
 * The patch behind which a run keeps a lean history (see the README, "How to change journey code
 * safely"): its data activities — the ones that only touch Postgres and answer in milliseconds
 * (loadProfile, loadEngagementTimes, applyProfileUpdate, recordConversion, abandonDelivery,
 * recordRunFinished) — run as local activities, and JourneyStep/JourneyStatus are upserted once
 * per workflow task, only the keys that changed (run-progress.ts). A local activity is one
 * marker in the workflow task that asked for it, where an activity was an activity task and a
 * workflow task more. Runs started before the patch keep both shapes until they end.
 */
export const LEAN_RUN_HISTORY = 'lean-run-history';

// Reading the profile and applying updates only touch Postgres: retry until it is back.
const retryUntilPostgresIsBack = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
} as const;

export const dataOptions = {
  startToCloseTimeout: '30 seconds',
  retry: retryUntilPostgresIsBack,
} as const;

/**
 * The same as local activities. Retries pausing up to 10 s stay inside the worker (the first
 * ~15 s of an outage); a longer pause is a durable timer, so a Postgres outage neither holds a
 * workflow task open nor loses the retry on a worker restart. Each such retry adds a timer and a
 * workflow task to the history (about 5 events a minute of outage): a retried activity added
 * none, but a Postgres outage is rare and an activity task per read is every run.
 */
export const localDataOptions = {
  ...dataOptions,
  localRetryThreshold: '10 seconds',
} as const;

const remoteData = proxyActivities<JourneyActivities>(dataOptions);
const localData = proxyLocalActivities<JourneyActivities>(localDataOptions);

/** The data activities as the run calls them: local with the lean patch, activities before it. */
export function dataActivities(lean: boolean) {
  return lean ? localData : remoteData;
}

/** The options of one call, for executeWithOptions (the same either way, a summary added). */
export function dataCall(lean: boolean, summary: string) {
  return { ...(lean ? localDataOptions : dataOptions), summary };
}
