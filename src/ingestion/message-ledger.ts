import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { specMessages } from '../db/schema';

/**
 * Claims the messageIds of a batch in the caller's transaction and answers the ones that are new.
 * A concurrent claim of the same id waits for this transaction: it then finds the id taken (and
 * changes nothing) or, if this one rolled back, takes it.
 */
export async function claimMessageIds(
  db: Database,
  messages: { messageId: string; type: string }[],
  receivedAt: Date,
): Promise<Set<string>> {
  const unique = [...new Map(messages.map((m) => [m.messageId, m])).values()];
  if (unique.length === 0) return new Set();
  // Two array parameters, one statement text whatever the batch's size.
  const claimed = rowsOf<{ message_id: string }>(
    await db.execute(sql`
      insert into spec_messages (message_id, type, received_at)
      select m.id, m.type, ${receivedAt.toISOString()}::timestamptz
        from unnest(${sql.param(unique.map((m) => m.messageId))}::text[],
                    ${sql.param(unique.map((m) => m.type))}::text[]) as m(id, type)
      on conflict (message_id) do nothing
      returning message_id`),
  );
  return new Set(claimed.map((row) => row.message_id));
}

/** Whether these messageIds were accepted (for tests and support). */
export async function acceptedMessageIds(db: Database, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ messageId: specMessages.messageId })
    .from(specMessages)
    .where(inArray(specMessages.messageId, ids));
  return new Set(rows.map((row) => row.messageId));
}
