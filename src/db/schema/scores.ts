import {
  boolean,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { updatedAt } from './columns';
import { customers } from './customers';

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
    /** As segment_due_checks.from_history: a check imported history asked for. */
    fromHistory: boolean('from_history').notNull().default(false),
  },
  (t) => [index('lifecycle_due_checks_due_idx').on(t.dueAt)],
);
