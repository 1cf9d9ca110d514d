import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { JsonObject } from '../../journeys/run-types';
import { createdAt, updatedAt } from './columns';
import { customers } from './customers';

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
    /**
     * Asked for by imported history (its profile rules moved a profile): what the check finds is
     * history too, and starts no journey. A window edge or a live request clears it.
     */
    fromHistory: boolean('from_history').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.segmentId, t.customerId] }),
    index('segment_due_checks_due_idx').on(t.dueAt),
  ],
);
