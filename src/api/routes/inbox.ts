import { and, count, desc, eq, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { customerParamsSchema, errorResponseSchema } from '../../contract/common';
import {
  inboxListQuerySchema,
  inboxListSchema,
  inboxMessageParamsSchema,
  inboxMessageSchema,
  inboxUnreadCountSchema,
  type InboxMessage,
} from '../../contract/inbox';
import type { Database } from '../../db/database';
import { inAppMessages } from '../../db/schema';
import { storeEvents } from '../../routing/ingest';
import { routeInline } from '../../routing/outbox';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity, iso, isoOrNull } from '../route-support';
import { routingDeps } from '../routing-deps';
import { requireCustomer } from './customers';
import type { z } from 'zod';

type MessageRow = typeof inAppMessages.$inferSelect;
type ListQuery = z.output<typeof inboxListQuerySchema>;

/** The event a first read stores, so journeys can wait for it (waitForEvent in_app_read). */
export const IN_APP_READ_EVENT = 'in_app_read';
const DEFAULT_LEASE_MS = 60_000;
const TAGS = ['inbox'];

export const inboxRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.get(
    '/customers/:id/inbox',
    {
      schema: {
        tags: TAGS,
        summary: "A customer's in-app inbox, newest first",
        description:
          'status: unread (default), read, archived or all. Pages with limit and the nextCursor ' +
          'of the previous page.',
        security: bearerSecurity,
        params: customerParamsSchema,
        querystring: inboxListQuerySchema,
        response: { 200: inboxListSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      await requireCustomer(deps.db, request.params.id);
      return listInbox(deps.db, request.params.id, request.query);
    },
  );

  app.get(
    '/customers/:id/inbox/unread-count',
    {
      schema: {
        tags: TAGS,
        summary: 'How many in-app messages the customer has not read',
        security: bearerSecurity,
        params: customerParamsSchema,
        response: { 200: inboxUnreadCountSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      await requireCustomer(deps.db, request.params.id);
      const [row] = await deps.db
        .select({ n: count() })
        .from(inAppMessages)
        .where(
          and(eq(inAppMessages.customerId, request.params.id), eq(inAppMessages.status, 'unread')),
        );
      return { unread: row?.n ?? 0 };
    },
  );

  app.post(
    '/customers/:id/inbox/:messageId/read',
    {
      schema: {
        tags: TAGS,
        summary: 'Mark an in-app message read (idempotent)',
        description:
          `Also stores an ${IN_APP_READ_EVENT} event (id inapp:<messageId>:read) for the customer ` +
          'and routes it like POST /v1/events, so journeys waiting for the read go on. An archived ' +
          'message stays archived.',
        security: bearerSecurity,
        params: inboxMessageParamsSchema,
        response: { 200: inboxMessageSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const { id, messageId } = request.params;
      const row = await markRead(deps.db, id, messageId);
      // Stored on every call (deduplicated by id): a read whose event failed to store heals on retry.
      await recordReadEvent(deps, row, request.log);
      return messageView(row);
    },
  );

  app.post(
    '/customers/:id/inbox/:messageId/archive',
    {
      schema: {
        tags: TAGS,
        summary: 'Archive an in-app message (idempotent)',
        security: bearerSecurity,
        params: inboxMessageParamsSchema,
        response: { 200: inboxMessageSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const { id, messageId } = request.params;
      return messageView(await archive(deps.db, id, messageId));
    },
  );
  done();
};

async function listInbox(db: Database, customerId: string, query: ListQuery) {
  const filters: (SQL | undefined)[] = [eq(inAppMessages.customerId, customerId)];
  if (query.status !== 'all') filters.push(eq(inAppMessages.status, query.status));
  if (query.cursor) filters.push(await olderThan(db, customerId, query.cursor));
  const rows = await db
    .select()
    .from(inAppMessages)
    .where(and(...filters))
    .orderBy(desc(inAppMessages.createdAt), desc(inAppMessages.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    messages: page.map(messageView),
    nextCursor: rows.length > query.limit && last ? last.id : null,
  };
}

/**
 * Messages after the cursor message in (createdAt, id) order. The comparison stays in SQL because
 * Postgres keeps microseconds that a JavaScript Date would round away.
 */
async function olderThan(db: Database, customerId: string, cursor: string): Promise<SQL> {
  const [found] = await db
    .select({ id: inAppMessages.id })
    .from(inAppMessages)
    .where(ownedBy(customerId, cursor))
    .limit(1);
  if (!found) {
    throw new ApiError(400, 'validation_failed', 'cursor is not a page of this inbox', [
      { path: 'cursor', message: 'must be the nextCursor of a previous page' },
    ]);
  }
  return sql`(${inAppMessages.createdAt}, ${inAppMessages.id}) < (select c.created_at, c.id from in_app_messages c where c.id = ${cursor})`;
}

async function markRead(db: Database, customerId: string, messageId: string): Promise<MessageRow> {
  const now = new Date();
  const [updated] = await db
    .update(inAppMessages)
    .set({
      status: sql`case when ${inAppMessages.status} = 'unread' then 'read' else ${inAppMessages.status} end`,
      readAt: now,
    })
    .where(and(ownedBy(customerId, messageId), isNull(inAppMessages.readAt)))
    .returning();
  return updated ?? findMessage(db, customerId, messageId);
}

/** An already read or archived message, for the idempotent answer; 404 when it is not theirs. */
async function findMessage(db: Database, customerId: string, messageId: string) {
  const [existing] = await db.select().from(inAppMessages).where(ownedBy(customerId, messageId));
  return existing ?? messageNotFound(db, customerId);
}

async function archive(db: Database, customerId: string, messageId: string): Promise<MessageRow> {
  const [updated] = await db
    .update(inAppMessages)
    .set({ status: 'archived', archivedAt: new Date() })
    .where(and(ownedBy(customerId, messageId), ne(inAppMessages.status, 'archived')))
    .returning();
  return updated ?? findMessage(db, customerId, messageId);
}

async function recordReadEvent(deps: ApiDeps, row: MessageRow, log: FastifyBaseLogger) {
  const stored = await storeEvents(
    deps.db,
    [
      {
        id: `inapp:${row.id}:read`,
        customerId: row.customerId,
        type: IN_APP_READ_EVENT,
        occurredAt: iso(row.readAt ?? new Date()),
        properties: { messageId: row.id, deliveryId: row.deliveryId },
        // Goes to the run that sent the message, and counts as engagement with it.
        deliveryId: row.deliveryId,
      },
    ],
    { now: new Date(), leaseMs: deps.eventLeaseMs ?? DEFAULT_LEASE_MS, source: 'inbox' },
  );
  const fresh = stored.flatMap((s) => (s.event ? [s.event] : []));
  await routeInline(routingDeps(deps, log), fresh);
}

/** A message of another customer is as absent as one that does not exist. */
function ownedBy(customerId: string, messageId: string): SQL | undefined {
  return and(eq(inAppMessages.id, messageId), eq(inAppMessages.customerId, customerId));
}

async function messageNotFound(db: Database, customerId: string): Promise<never> {
  await requireCustomer(db, customerId);
  throw new ApiError(404, 'inbox_message_not_found', 'no inbox message with this id', [
    { path: 'messageId', message: 'no message with this id in this customer’s inbox' },
  ]);
}

export function messageView(row: MessageRow): InboxMessage {
  return {
    id: row.id,
    deliveryId: row.deliveryId,
    title: row.title,
    body: row.body,
    actionUrl: row.actionUrl,
    data: row.data,
    status: row.status,
    createdAt: iso(row.createdAt),
    readAt: isoOrNull(row.readAt),
    archivedAt: isoOrNull(row.archivedAt),
  };
}
