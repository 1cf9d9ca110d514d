import { engagementTimes } from '../customers';
import type { Database } from '../db/database';

/** When the customer engaged lately (src/customers owns what counts): for best-hour waits. */
export function createEngagementActivities(db: Database, clock: () => Date) {
  return {
    loadEngagementTimes: (customerId: string): Promise<number[]> =>
      engagementTimes(db, customerId, clock()),
  };
}
