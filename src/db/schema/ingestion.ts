import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Segment-spec calls accepted, by messageId (src/ingestion): a replayed call — a library retrying
 * after a timeout, a destination replaying history — finds its id here and changes nothing. Only
 * the id, the call type and when: no customer and no content, so an erasure has nothing to remove.
 * Kept for CAIRN_SPEC_MESSAGE_RETENTION (src/ingestion/message-retention.ts), pruned by when.
 */
export const specMessages = pgTable(
  'spec_messages',
  {
    messageId: text('message_id').primaryKey(),
    type: text('type').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('spec_messages_received_idx').on(t.receivedAt)],
);
