import { sql } from 'drizzle-orm';
import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { JsonObject } from '../../journeys/run-types';
import { createdAt, updatedAt } from './columns';
import { customers } from './customers';

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'skipped' | 'failed' | 'unknown';

/**
 * The delivery ledger. One row per step visit, keyed deterministically, written before the
 * provider is called: a retried send finds its row and never calls the provider twice.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deliveryKey: text('delivery_key').notNull().unique(),
    /** Null once the customer was erased: the row stays, anonymised, for the counts (src/privacy). */
    customerId: text('customer_id').references(() => customers.id),
    journeyId: text('journey_id').notNull(),
    journeyVersion: integer('journey_version').notNull(),
    workflowId: text('workflow_id').notNull(),
    stepId: text('step_id').notNull(),
    channel: text('channel').notNull(),
    messageKind: text('message_kind').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull(),
    /** Machine-readable reason for skipped/failed/unknown. */
    reason: text('reason'),
    recipient: text('recipient'),
    subject: text('subject'),
    providerMessageId: text('provider_message_id'),
    /** The provider's own error or status code (smtp_550, twilio_21610, UNREGISTERED, http_503). */
    providerCode: text('provider_code'),
    /** Channel-specific facts: SMS segments and encoding, per-token push results, webhook status. */
    detail: jsonb('detail').$type<JsonObject>(),
    /** The subscription topic of a marketing message, checked against the customer's choice. */
    topic: text('topic'),
    attempts: integer('attempts').notNull().default(0),
    /** When a send attempt claimed the row: frequency caps count claimed messages in a window. */
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('deliveries_customer_idx').on(t.customerId, t.createdAt.desc()),
    // Provider callbacks (Twilio status, bounces) find their delivery by the provider's id.
    index('deliveries_provider_message_idx').on(t.providerMessageId),
    index('deliveries_cap_window_idx').on(t.customerId, t.claimedAt),
    // Messages whose provider side is unknown (a worker died mid-send): listed and counted for
    // operators (GET /v1/deliveries?status=unknown, /health), few among many sent.
    index('deliveries_unknown_idx')
      .on(t.updatedAt.desc())
      .where(sql`${t.status} = 'unknown'`),
  ],
);

/** A customer's push device tokens; tokens the provider reports as unregistered are deleted. */
export const deviceTokens = pgTable(
  'device_tokens',
  {
    token: text('token').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    platform: text('platform').$type<'ios' | 'android' | 'web'>().notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('device_tokens_customer_idx').on(t.customerId)],
);

export type InAppStatus = 'unread' | 'read' | 'archived';

/** The in-app inbox: one row per in-app delivery, polled by the customer's app. */
export const inAppMessages = pgTable(
  'in_app_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The ledger row this message was delivered by: one inbox entry per delivery. */
    deliveryId: uuid('delivery_id').notNull().unique(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    title: text('title').notNull(),
    body: text('body').notNull(),
    actionUrl: text('action_url'),
    data: jsonb('data').$type<JsonObject>().notNull().default({}),
    status: text('status').$type<InAppStatus>().notNull().default('unread'),
    createdAt: createdAt(),
    readAt: timestamp('read_at', { withTimezone: true }),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (t) => [index('in_app_messages_inbox_idx').on(t.customerId, t.status, t.createdAt.desc())],
);

/**
 * The links of a sent message, by position. A click token names a delivery and a link index, never
 * a URL, so only links Cairn itself rewrote can ever be redirected to.
 */
export const deliveryLinks = pgTable(
  'delivery_links',
  {
    deliveryId: uuid('delivery_id').notNull(),
    linkIndex: integer('link_index').notNull(),
    url: text('url').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.linkIndex] })],
);

export type AttributionModel = 'last_touch' | 'first_touch' | 'linear' | 'time_decay';

/**
 * A goal event credited to the messages that preceded it within the attribution window: one row
 * per (goal event, model, delivery) with that delivery's share of the conversion and its revenue.
 */
export const conversions = pgTable(
  'conversions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: text('event_id').notNull(),
    /** Null once the customer was erased: the credit stays, anonymised, in the report. */
    customerId: text('customer_id').references(() => customers.id),
    model: text('model').$type<AttributionModel>().notNull(),
    deliveryId: uuid('delivery_id').notNull(),
    journeyId: text('journey_id').notNull(),
    journeyVersion: integer('journey_version').notNull(),
    stepId: text('step_id').notNull(),
    channel: text('channel').notNull(),
    /** This delivery's share of the conversion, 0–1; the shares of one event and model add to 1. */
    weight: doublePrecision('weight').notNull(),
    /** The event's revenue times the weight, in the event's currency. */
    revenue: doublePrecision('revenue').notNull().default(0),
    currency: text('currency'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('conversions_event_model_delivery_idx').on(t.eventId, t.model, t.deliveryId),
    index('conversions_journey_idx').on(t.journeyId, t.journeyVersion, t.stepId, t.channel),
  ],
);
