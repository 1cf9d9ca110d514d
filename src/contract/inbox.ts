import { z } from 'zod';
import { customerIdSchema, isoTimestampSchema, jsonObjectSchema } from './common';

export const inboxStatusSchema = z.enum(['unread', 'read', 'archived']);
export type InboxStatus = z.infer<typeof inboxStatusSchema>;

/** One in-app message as the customer's app shows it. */
export const inboxMessageSchema = z
  .object({
    id: z.string(),
    /** The delivery that put it in the inbox (GET /v1/customers/{id}/deliveries). */
    deliveryId: z.string(),
    title: z.string(),
    body: z.string(),
    actionUrl: z.string().nullable(),
    data: jsonObjectSchema,
    status: inboxStatusSchema,
    createdAt: isoTimestampSchema,
    readAt: isoTimestampSchema.nullable(),
    archivedAt: isoTimestampSchema.nullable(),
  })
  .meta({ id: 'InboxMessage' });
export type InboxMessage = z.infer<typeof inboxMessageSchema>;

export const inboxListQuerySchema = z.object({
  /** Which messages: unread (the default), read, archived, or all of them. */
  status: z.enum([...inboxStatusSchema.options, 'all']).default('unread'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** nextCursor of the previous page; opaque. */
  cursor: z.uuid({ message: 'must be the nextCursor of a previous page' }).optional(),
});
/** The client's view of the query (z.input of a coerced number would be unknown). */
export interface InboxListQuery {
  status?: InboxStatus | 'all';
  limit?: number;
  cursor?: string;
}

export const inboxListSchema = z.object({
  /** Newest first. */
  messages: z.array(inboxMessageSchema),
  /** Pass as cursor for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type InboxList = z.infer<typeof inboxListSchema>;

export const inboxUnreadCountSchema = z.object({ unread: z.number().int() });
export type InboxUnreadCount = z.infer<typeof inboxUnreadCountSchema>;

export const inboxMessageParamsSchema = z.object({
  id: customerIdSchema,
  messageId: z.uuid({ message: 'must be an inbox message id' }),
});
