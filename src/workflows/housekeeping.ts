import { proxyActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import type { HousekeepingInput, HousekeepingResult } from './housekeeping-names';

// Each call deletes in short batches and heartbeats; Postgres being away is retried until back.
const { pruneSpecMessages } = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** A backlog (the first run on a large table) is worked off over runs, at most this many calls. */
const MAX_CALLS = 20;

/**
 * What the housekeeping schedule starts (src/runtime/housekeeping-schedule.ts): the retention of
 * tables that would otherwise grow with every call ever made. Today that is spec_messages.
 */
export async function housekeepingWorkflow(input: HousekeepingInput): Promise<HousekeepingResult> {
  let specMessagesDeleted = 0;
  for (let call = 0; call < MAX_CALLS; call += 1) {
    const pruned = await pruneSpecMessages({ retentionMs: input.specMessageRetentionMs });
    specMessagesDeleted += pruned.deleted;
    if (!pruned.more) break;
  }
  return { specMessagesDeleted };
}
