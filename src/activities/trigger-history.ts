import type { Database } from '../db/database';
import type { JourneyEvent } from '../journeys/run-types';
import { loadTriggerHistory, type TriggerHistoryRequest } from '../routing/trigger-history';
import { invalidRequest } from './failures';

/**
 * What a run waiting to enter reads when its delay is over: the events its trigger rule looks at
 * (src/journeys/trigger-rule.ts judges them in the workflow). Postgres down fails the attempt and
 * the run retries: it never enters on a history it could not read.
 */
export function createTriggerHistoryActivities(db: Database) {
  return {
    loadTriggerHistory: async (request: TriggerHistoryRequest): Promise<JourneyEvent[]> => {
      if (typeof request?.customerId !== 'string' || !Array.isArray(request.types)) {
        throw invalidRequest('loadTriggerHistory', 'customerId and types are required');
      }
      return loadTriggerHistory(db, request);
    },
  };
}
