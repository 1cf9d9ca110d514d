import { sql, type SQL } from 'drizzle-orm';

/**
 * Imported history (POST /v1/imports/events without trigger) feeds the audience but starts no
 * journey, and that must hold at second hand too: a segment entry or a stage move that history
 * caused is stored as history itself (events.audience_only), so journeys triggered on it do not
 * start for a customer because last year's orders were loaded today. Time passing afterwards (a
 * window edge) is live again: the re-engagement journey does start when an imported customer's
 * 30 days without a purchase run out.
 */

/** An event of a batch as far as its cause goes. */
export interface CausedEvent {
  customerId: string;
  /** true: imported history (claimed from the history index). */
  history?: boolean;
}

/**
 * The customers whose every event in the batch is history: a live event of the same customer
 * beside it makes the change live (it may well be what caused it).
 */
export function historyOnlyCustomers(batch: readonly CausedEvent[]): Set<string> {
  const live = new Set(batch.filter((e) => e.history !== true).map((e) => e.customerId));
  return new Set(
    batch.filter((e) => e.history === true && !live.has(e.customerId)).map((e) => e.customerId),
  );
}

/**
 * The cause a due check keeps when a request meets one already due (ON CONFLICT of a due-check
 * table, whose due_at becomes the earlier of the two): the cause of the earlier; at the same
 * time, history only if both are.
 */
export function earlierCause(table: 'segment_due_checks' | 'lifecycle_due_checks'): SQL {
  const current = sql.raw(table);
  return sql`case when excluded.due_at < ${current}.due_at then excluded.from_history
                  when excluded.due_at > ${current}.due_at then ${current}.from_history
                  else ${current}.from_history and excluded.from_history end`;
}
