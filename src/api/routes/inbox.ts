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
import {
  archive,
  IN_APP_READ_EVENT,
  listInbox,
  markRead,
  recordReadEvent,
  unreadCount,
  type InboxMessageRow,
} from '../../inbox';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity, iso, isoOrNull } from '../route-support';
import { requireCustomer } from './customers';

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
      const page = await listInbox(deps.db, request.params.id, request.query);
      if (!page) {
        throw new ApiError(400, 'validation_failed', 'cursor is not a page of this inbox', [
          { path: 'cursor', message: 'must be the nextCursor of a previous page' },
        ]);
      }
      return { messages: page.messages.map(messageView), nextCursor: page.nextCursor };
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
      return { unread: await unreadCount(deps.db, request.params.id) };
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
          'for the router like POST /v1/events, so journeys waiting for the read go on. An archived ' +
          'message stays archived.',
        security: bearerSecurity,
        params: inboxMessageParamsSchema,
        response: { 200: inboxMessageSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const { id, messageId } = request.params;
      const row = await markRead(deps.db, id, messageId, new Date());
      if (!row) return messageNotFound(deps.db, id);
      // Stored on every call (deduplicated by id): a read whose event failed to store heals on retry.
      if (await recordReadEvent(deps.db, row, { now: new Date() })) deps.outboxSignal?.notify();
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
      const row = await archive(deps.db, id, messageId, new Date());
      return row ? messageView(row) : messageNotFound(deps.db, id);
    },
  );
  done();
};

async function messageNotFound(db: Database, customerId: string): Promise<never> {
  await requireCustomer(db, customerId);
  throw new ApiError(404, 'inbox_message_not_found', 'no inbox message with this id', [
    { path: 'messageId', message: 'no message with this id in this customer’s inbox' },
  ]);
}

export function messageView(row: InboxMessageRow): InboxMessage {
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
