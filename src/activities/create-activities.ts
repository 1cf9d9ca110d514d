import { createProfileActivities } from './profiles';
import { createRunActivities } from './runs';
import { createAbandonDelivery } from './abandon-delivery';
import { createEngagementActivities } from './engagement';
import { createErasureActivities } from './erasure';
import { createHousekeepingActivities } from './housekeeping';
import { createRecordConversion } from './record-conversion';
import { createRecordHold } from './record-hold';
import { createScoreActivities } from './scores';
import { createSendMessage } from './send-message';
import { createSourceSyncActivities } from './source-sync';
import { createTriggerHistoryActivities } from './trigger-history';
import type { ActivityDeps } from './types';

/**
 * Every activity the worker's workflows call (the journey workflow, a customer's erasure, a
 * score's scheduled recompute, a source's scheduled sync and the housekeeping), bound to their
 * dependencies. The worker registers the returned
 * object; workflows import only `JourneyActivities` (a type).
 */
export function createActivities(deps: ActivityDeps) {
  const clock = deps.clock ?? (() => new Date());
  return {
    ...createProfileActivities(deps.db),
    ...createRunActivities(deps.db, clock),
    ...createEngagementActivities(deps.db, clock),
    ...createTriggerHistoryActivities(deps.db),
    ...createScoreActivities(deps.db, clock),
    sendMessage: createSendMessage(deps),
    abandonDelivery: createAbandonDelivery(deps.db),
    recordHeldDelivery: createRecordHold(deps.db),
    recordConversion: createRecordConversion(deps.db),
    ...createErasureActivities(deps),
    ...createSourceSyncActivities(deps, clock),
    ...createHousekeepingActivities(deps.db, clock),
  };
}

export type JourneyActivities = ReturnType<typeof createActivities>;
