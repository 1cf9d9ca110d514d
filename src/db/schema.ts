import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
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
import type { JsonObject, JsonValue } from '../journeys/run-types';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

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
  },
  (t) => [
    index('events_customer_time_idx').on(t.customerId, t.occurredAt.desc()),
    index('events_type_time_idx').on(t.type, t.occurredAt.desc()),
    index('events_unrouted_idx')
      .on(t.nextRoutingAt)
      .where(sql`${t.routedAt} is null`),
    index('events_delivery_idx').on(t.deliveryId),
    // The claim's "no earlier unrouted event of this customer" check (per-customer order).
    index('events_unrouted_customer_idx')
      .on(t.customerId, t.seq)
      .where(sql`${t.routedAt} is null`),
    index('events_routing_claim_idx')
      .on(t.routingClaim)
      .where(sql`${t.routingClaim} is not null`),
  ],
);

export const journeys = pgTable(
  'journeys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** Only active journeys are triggered by events. */
    status: text('status').$type<'active' | 'paused' | 'archived'>().notNull().default('active'),
    activeVersion: integer('active_version').notNull(),
    /** Denormalised from the active version so trigger matching is one indexed lookup. */
    triggerEvent: text('trigger_event'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('journeys_trigger_idx').on(t.triggerEvent)],
);

/** Journey versions are immutable: a run keeps the snapshot it started with. */
export const journeyVersions = pgTable(
  'journey_versions',
  {
    journeyId: text('journey_id')
      .notNull()
      .references(() => journeys.id),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<JsonObject>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.journeyId, t.version] })],
);

export type RunRegistryStatus = 'running' | 'completed' | 'exited' | 'cancelled' | 'failed';

/**
 * The runs registry: every run entered, so events are routed exactly to the runs that listen for
 * them without asking Temporal's eventually consistent visibility store.
 */
export const journeyRuns = pgTable(
  'journey_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workflowId: text('workflow_id').notNull(),
    temporalRunId: text('temporal_run_id'),
    journeyId: text('journey_id').notNull(),
    journeyVersion: integer('journey_version').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    runKey: text('run_key'),
    status: text('status').$type<RunRegistryStatus>().notNull().default('running'),
    /** Event types the definition reacts to (waitForEvent, exitOn, goal). */
    listensTo: text('listens_to')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    triggerEventId: text('trigger_event_id'),
    finishReason: text('finish_reason'),
    /** The run's decision trace, stored when it ends (running runs answer the state query). */
    trace: jsonb('trace').$type<JsonValue[]>(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('journey_runs_one_active_idx')
      .on(t.workflowId)
      .where(sql`${t.status} = 'running'`),
    index('journey_runs_customer_idx').on(t.customerId, t.status),
    index('journey_runs_journey_customer_idx').on(t.journeyId, t.customerId, t.startedAt.desc()),
  ],
);

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
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
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
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
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

export type SegmentKind = 'rule' | 'manual';

/**
 * Segments: a rule segment's members are those its definition (src/segments) matches, kept live
 * by the router; a manual segment's are added and removed through the API. The active version's
 * dependencies are denormalised here so an event batch finds the segments it can change with one
 * indexed lookup.
 */
export const segments = pgTable(
  'segments',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind').$type<SegmentKind>().notNull(),
    status: text('status').$type<'active' | 'archived'>().notNull().default('active'),
    activeVersion: integer('active_version').notNull(),
    /** Event types whose arrival can change a customer's membership. */
    dependsOnEvents: text('depends_on_events')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Whether a change of the profile (attributes, consent, addresses) can change it. */
    readsProfile: boolean('reads_profile').notNull().default(false),
    /**
     * The version whose membership has been computed for every customer. A new version is
     * computed page by page in customer id order by the router (`computeCursor`: the last id
     * done); events keep members of the pages not yet done live in the meantime.
     */
    computedVersion: integer('computed_version').notNull().default(0),
    computeCursor: text('compute_cursor'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('segments_depends_on_events_idx').using('gin', t.dependsOnEvents)],
);

/** Segment versions are immutable, like journey versions. */
export const segmentVersions = pgTable(
  'segment_versions',
  {
    segmentId: text('segment_id')
      .notNull()
      .references(() => segments.id),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<JsonObject>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.segmentId, t.version] })],
);

/**
 * Who is in a segment: one row per (segment, customer) that ever entered. `exitedAt` null is a
 * current member; an exit keeps the row (and its times), a later entry opens it again. Every
 * entry and exit is also an event (segment_entered / segment_exited) in the outbox.
 */
export const segmentMemberships = pgTable(
  'segment_memberships',
  {
    segmentId: text('segment_id')
      .notNull()
      .references(() => segments.id),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    /** The segment version that decided the latest entry or exit. */
    version: integer('version').notNull(),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull(),
    exitedAt: timestamp('exited_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.segmentId, t.customerId] }),
    index('segment_memberships_customer_idx').on(t.customerId),
    index('segment_members_idx')
      .on(t.segmentId, t.customerId)
      .where(sql`${t.exitedAt} is null`),
  ],
);

/**
 * When a customer's membership of a segment can next change with no new event (an event leaving
 * a window, an age crossing its limit): re-evaluated then, never by rescanning everyone.
 */
export const segmentDueChecks = pgTable(
  'segment_due_checks',
  {
    segmentId: text('segment_id')
      .notNull()
      .references(() => segments.id),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.segmentId, t.customerId] }),
    index('segment_due_checks_due_idx').on(t.dueAt),
  ],
);

/**
 * A decaying score's stored state per customer (src/scores/decay.ts): the uncapped sum of the
 * counted events' points rebased to `asOf`, read as min(cap, value × decayPerDay^(days since
 * asOf)). Kept per definition version; `decayPerDay` is the version's, so the router's one
 * upsert can rebase a row without looking the definition up.
 */
export const customerScores = pgTable(
  'customer_scores',
  {
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    scoreId: text('score_id').notNull(),
    version: integer('version').notNull(),
    value: doublePrecision('value').notNull(),
    asOf: timestamp('as_of', { withTimezone: true, precision: 3 }).notNull(),
    decayPerDay: doublePrecision('decay_per_day').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.scoreId, t.version] })],
);

/**
 * Each event a decaying score counted, with its points: the event id makes counting idempotent
 * (a batch the router delivers again adds nothing twice), and the rows are what made the value
 * (the profile API and the timeline show them, newest first).
 */
export const scoreContributions = pgTable(
  'score_contributions',
  {
    scoreId: text('score_id').notNull(),
    version: integer('version').notNull(),
    eventId: text('event_id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    eventType: text('event_type').notNull(),
    points: doublePrecision('points').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
    /** When the router counted it; an event dated later than this counts from this time. */
    countedAt: timestamp('counted_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scoreId, t.version, t.eventId] }),
    index('score_contributions_customer_idx').on(t.customerId, t.occurredAt.desc()),
  ],
);

/**
 * Which profile update rule (src/lifecycle/profile-rules.ts) has been applied to which event:
 * written in the transaction that changes the attribute, so a replayed event or a batch handed to
 * the audience pass again changes nothing twice.
 */
export const profileRuleApplications = pgTable(
  'profile_rule_applications',
  {
    ruleId: text('rule_id').notNull(),
    eventId: text('event_id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.eventId] })],
);

/**
 * Each customer's lifecycle stage (src/lifecycle/stages.ts) and since when, kept live by the
 * router like segment membership; a customer never evaluated has no row.
 */
export const customerLifecycle = pgTable('customer_lifecycle', {
  customerId: text('customer_id')
    .primaryKey()
    .references(() => customers.id),
  stage: text('stage').notNull(),
  since: timestamp('since', { withTimezone: true }).notNull(),
  updatedAt: updatedAt(),
});

/** When a customer's stage can next change with no new event (a window edge), or must be re-checked. */
export const lifecycleDueChecks = pgTable(
  'lifecycle_due_checks',
  {
    customerId: text('customer_id')
      .primaryKey()
      .references(() => customers.id),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('lifecycle_due_checks_due_idx').on(t.dueAt)],
);
