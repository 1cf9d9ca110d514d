import { inArray } from 'drizzle-orm';
import type { Database } from '../db/database';
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
  const claimed = await db
    .insert(specMessages)
    .values(unique.map((m) => ({ messageId: m.messageId, type: m.type, receivedAt })))
    .onConflictDoNothing()
    .returning({ messageId: specMessages.messageId });
  return new Set(claimed.map((row) => row.messageId));
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
