import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';

/**
 * How long an accepted Segment-spec messageId is remembered (CAIRN_SPEC_MESSAGE_RETENTION):
 * libraries retry within minutes and replays of a destination within days, so a month covers
 * them, and spec_messages no longer grows with every call ever made. A call replayed after that
 * is applied again; its event is still stored once (events are keyed by id).
 */
export const DEFAULT_SPEC_MESSAGE_RETENTION_MS = 30 * 86_400_000;

/** Rows deleted per statement: short transactions, whatever the backlog. */
const BATCH = 10_000;

/**
 * Forgets the messageIds accepted before `before`, a batch per statement, at most `maxBatches`
 * statements (the next run goes on); answers how many were deleted and whether some are left.
 */
export async function pruneSpecMessages(
  db: Database,
  before: Date,
  options: { batch?: number; maxBatches?: number; onBatch?: () => void } = {},
): Promise<{ deleted: number; more: boolean }> {
  const batch = options.batch ?? BATCH;
  let deleted = 0;
  for (let round = 0; round < (options.maxBatches ?? 100); round += 1) {
    const rows = rowsOf<{ n: number }>(
      await db.execute(sql`
        with gone as (
          delete from spec_messages where message_id in (
            select message_id from spec_messages
             where received_at < ${before.toISOString()}::timestamptz
             limit ${batch})
          returning 1)
        select count(*)::int as n from gone`),
    );
    const n = rows[0]?.n ?? 0;
    deleted += n;
    options.onBatch?.();
    if (n < batch) return { deleted, more: false };
  }
  return { deleted, more: true };
}
