import { sql } from 'drizzle-orm';
import {
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
import type { JsonObject, JsonValue } from '../../journeys/run-types';
import { createdAt, updatedAt } from './columns';
import { customers } from './customers';

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
