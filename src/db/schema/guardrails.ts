import { pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';
import { customers } from './customers';

export type SuppressionReason = 'hard_bounce' | 'complaint' | 'manual' | 'invalid_address';

/**
 * Addresses that must never be sent to on a channel, whoever the customer is: hard bounces,
 * complaints, manual entries. Checked at send time; transactional messages do not bypass it.
 */
export const suppressions = pgTable(
  'suppressions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channel: text('channel').$type<'email' | 'sms' | 'push'>().notNull(),
    /** Normalised: lower-case email, E.164 phone, or push token. */
    address: text('address').notNull(),
    reason: text('reason').$type<SuppressionReason>().notNull(),
    /** Where it came from: smtp, bounce_webhook, twilio, api. */
    source: text('source').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('suppressions_channel_address_idx').on(t.channel, t.address)],
);

/** Subscription topics (newsletter, product_updates, ...). opt_out topics default to subscribed. */
export const topics = pgTable('topics', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description'),
  mode: text('mode').$type<'opt_in' | 'opt_out'>().notNull(),
  createdAt: createdAt(),
});

/** A customer's explicit choice per topic; no row means the topic's default. */
export const customerTopics = pgTable(
  'customer_topics',
  {
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    topicId: text('topic_id')
      .notNull()
      .references(() => topics.id),
    status: text('status').$type<'subscribed' | 'unsubscribed'>().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.topicId] })],
);
