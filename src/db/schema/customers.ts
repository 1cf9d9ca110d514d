import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import type { JsonObject } from '../../journeys/run-types';
import { createdAt, updatedAt } from './columns';

/** Per-channel consent. A missing entry means "no explicit choice" (see the send path). */
export type ConsentState = 'opted_in' | 'opted_out';
export type Consent = Partial<Record<'email' | 'sms' | 'push', ConsentState>>;

export const customers = pgTable(
  'customers',
  {
    /** The caller's own id for the customer; opaque, never PII. */
    id: text('id').primaryKey(),
    email: text('email'),
    phone: text('phone'),
    timeZone: text('time_zone'),
    locale: text('locale'),
    attributes: jsonb('attributes').$type<JsonObject>().notNull().default({}),
    consent: jsonb('consent').$type<Consent>().notNull().default({}),
    /**
     * Every source that wrote the profile (api, website, crm, import, …), first one first; each
     * event keeps its own in events.source.
     */
    sources: text('sources')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // Inbound SMS (STOP, START) finds customers by the number they text from.
  (t) => [index('customers_phone_idx').on(t.phone)],
);

export const events = pgTable(
  'events',
  {
    /** The caller's event id: ingesting the same id twice stores and routes it once. */
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    type: text('type').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    properties: jsonb('properties').$type<JsonObject>().notNull().default({}),
    source: text('source'),
    /** Outbox state: null until the router has started/signalled every journey it concerns. */
    routedAt: timestamp('routed_at', { withTimezone: true }),
    routingAttempts: integer('routing_attempts').notNull().default(0),
    routingError: text('routing_error'),
    nextRoutingAt: timestamp('next_routing_at', { withTimezone: true }).notNull().defaultNow(),
    /** Engagement and provider events (opens, clicks, bounces) name the delivery they concern. */
    deliveryId: uuid('delivery_id'),
    /** Machine-readable flags, e.g. { machineOpen: true } for privacy-proxy opens, { bot: true }. */
    flags: jsonb('flags').$type<JsonObject>(),
    /**
     * Arrival order: a batch shares one received_at, and a customer's events must be routed in
     * the order they were stored (a cart_abandoned before the purchase that ends its run).
     */
    seq: bigint('seq', { mode: 'number' }).generatedByDefaultAsIdentity(),
    /**
     * The router pass holding this event's lease: renewals and the routed/failure marks apply
     * only while it still holds it, so an event claimed again elsewhere is never marked twice.
     */
    routingClaim: uuid('routing_claim'),
    /**
     * Imported history (POST /v1/imports/events without trigger): the router gives it the
     * audience upkeep (profile rules, scores, segments, stages) when live events leave it time,
     * and routes it to no journey (src/routing/history-claims.ts).
     */
    audienceOnly: boolean('audience_only').notNull().default(false),
  },
  (t) => [
    index('events_customer_time_idx').on(t.customerId, t.occurredAt.desc()),
    index('events_type_time_idx').on(t.type, t.occurredAt.desc()),
    // The outbox of live events; imported history (audience_only) has an index of its own, so
    // a backlog of history never stands before a live event in the router's claim.
    index('events_unrouted_idx')
      .on(t.nextRoutingAt)
      .where(sql`${t.routedAt} is null and not ${t.audienceOnly}`),
    index('events_unrouted_history_idx')
      .on(t.seq)
      .where(sql`${t.routedAt} is null and ${t.audienceOnly}`),
    // Most events name no delivery: only those that do are indexed (one index entry less per
    // ingested event); lookups by a delivery id imply it is not null.
    index('events_delivery_idx')
      .on(t.deliveryId)
      .where(sql`${t.deliveryId} is not null`),
    // The claim's "no earlier unrouted event of this customer" check (per-customer order).
    index('events_unrouted_customer_idx')
      .on(t.customerId, t.seq)
      .where(sql`${t.routedAt} is null and not ${t.audienceOnly}`),
    index('events_routing_claim_idx')
      .on(t.routingClaim)
      .where(sql`${t.routingClaim} is not null`),
  ],
);
