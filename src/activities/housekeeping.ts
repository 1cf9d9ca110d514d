import type { Database } from '../db/database';
import { pruneSpecMessages } from '../ingestion/message-retention';
import { whileHeartbeating } from './heartbeat';

/** Housekeeping that keeps tables from growing forever, for the housekeeping schedule. */
export function createHousekeepingActivities(db: Database, clock: () => Date) {
  return {
    /** Forgets Segment-spec messageIds older than the retention; some may be left for later. */
    pruneSpecMessages: (input: { retentionMs: number }) =>
      whileHeartbeating(() =>
        pruneSpecMessages(db, new Date(clock().getTime() - input.retentionMs)),
      ),
  };
}
