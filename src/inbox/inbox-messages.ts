import { and, count, desc, eq, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Database } from '../db/database';
import { inAppMessages } from '../db/schema';

/**
 * The in-app inbox as the customer's app reads it: the rows the in-app channel stores, listed,
 * counted, read and archived. A message of another customer is as absent as one that does not
 * exist: every query here is scoped to the customer.
 */

export type InboxMessageRow = typeof inAppMessages.$inferSelect;
export type InboxFilter = 'unread' | 'read' | 'archived' | 'all';

export interface InboxPage {
  messages: InboxMessageRow[];
  /** The id to pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Newest first; null when the cursor is not a message of this inbox. */
export async function listInbox(
  db: Database,
  customerId: string,
  query: { status: InboxFilter; limit: number; cursor?: string | undefined },
): Promise<InboxPage | null> {
  const filters: (SQL | undefined)[] = [eq(inAppMessages.customerId, customerId)];
  if (query.status !== 'all') filters.push(eq(inAppMessages.status, query.status));
  if (query.cursor) {
    if (!(await findMessage(db, customerId, query.cursor))) return null;
    filters.push(olderThan(query.cursor));
  }
  const rows = await db
    .select()
    .from(inAppMessages)
    .where(and(...filters))
    .orderBy(desc(inAppMessages.createdAt), desc(inAppMessages.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { messages: page, nextCursor: rows.length > query.limit && last ? last.id : null };
}

/**
 * Messages after the cursor message in (createdAt, id) order. The comparison stays in SQL because
 * Postgres keeps microseconds that a JavaScript Date would round away.
 */
function olderThan(cursor: string): SQL {
  return sql`(${inAppMessages.createdAt}, ${inAppMessages.id}) < (select c.created_at, c.id from in_app_messages c where c.id = ${cursor})`;
}

export async function unreadCount(db: Database, customerId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(inAppMessages)
    .where(and(eq(inAppMessages.customerId, customerId), eq(inAppMessages.status, 'unread')));
  return row?.n ?? 0;
}

/** Idempotent: the first read sets readAt; an archived message stays archived. */
export function markRead(
  db: Database,
  customerId: string,
  messageId: string,
  now: Date,
): Promise<InboxMessageRow | null> {
  return changeOnce(
    db,
    customerId,
    messageId,
    {
      status: sql`case when ${inAppMessages.status} = 'unread' then 'read' else ${inAppMessages.status} end`,
      readAt: now,
    },
    isNull(inAppMessages.readAt),
  );
}

/** Idempotent. */
export function archive(
  db: Database,
  customerId: string,
  messageId: string,
  now: Date,
): Promise<InboxMessageRow | null> {
  return changeOnce(
    db,
    customerId,
    messageId,
    { status: 'archived', archivedAt: now },
    ne(inAppMessages.status, 'archived'),
  );
}

/**
 * Applies `change` only while `pending` holds, so a repeated call changes nothing (the first
 * timestamp stays); either way it answers the message as it now is, or null when it is not this
 * customer's.
 */
async function changeOnce(
  db: Database,
  customerId: string,
  messageId: string,
  change: PgUpdateSetSource<typeof inAppMessages>,
  pending: SQL,
): Promise<InboxMessageRow | null> {
  const [updated] = await db
    .update(inAppMessages)
    .set(change)
    .where(and(ownedBy(customerId, messageId), pending))
    .returning();
  return updated ?? findMessage(db, customerId, messageId);
}

async function findMessage(
  db: Database,
  customerId: string,
  messageId: string,
): Promise<InboxMessageRow | null> {
  const [row] = await db.select().from(inAppMessages).where(ownedBy(customerId, messageId));
  return row ?? null;
}

function ownedBy(customerId: string, messageId: string): SQL | undefined {
  return and(eq(inAppMessages.id, messageId), eq(inAppMessages.customerId, customerId));
}

/** Deletes the customer's whole inbox (their erasure): titles and bodies were rendered for them. */
export async function eraseInbox(db: Database, customerId: string): Promise<number> {
  const deleted = await db
    .delete(inAppMessages)
    .where(eq(inAppMessages.customerId, customerId))
    .returning({ id: inAppMessages.id });
  return deleted.length;
}
