import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';
import { customers } from './customers';

/**
 * An external source Cairn pulls customers from on a Temporal Schedule (src/sync). `config` is
 * the validated SourceConfig (src/contract/sources.ts): it names the environment variables that
 * hold a connection string or token, never the secret itself. `version` counts its changes.
 * `cursor` is where the next run reads from, advanced in the transaction that stores a page.
 */
export const syncSources = pgTable('sync_sources', {
  id: text('id').primaryKey(),
  config: jsonb('config').$type<Record<string, unknown>>().notNull(),
  enabled: boolean('enabled').notNull(),
  version: integer('version').notNull().default(1),
  cursor: text('cursor'),
  /** The newest row's cursor time seen so far (cursor type `time`): the lag is now minus this. */
  newestRowAt: timestamp('newest_row_at', { withTimezone: true, precision: 3 }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export type SyncRunStatus = 'running' | 'succeeded' | 'failed';

/** One error of a run: a rejected row by its key and field, never its values. */
export interface SyncRunIssue {
  key: string;
  field: string;
  message: string;
}

/** Every run of a source, with its counts, first errors, cursors and lag. */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sourceId: text('source_id')
      .notNull()
      .references(() => syncSources.id, { onDelete: 'cascade' }),
    sourceVersion: integer('source_version').notNull(),
    /** The Temporal workflow that ran it (the schedule's action), and the activity attempt. */
    workflowId: text('workflow_id'),
    attempt: integer('attempt').notNull().default(1),
    status: text('status').$type<SyncRunStatus>().notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, precision: 3 }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true, precision: 3 }),
    pages: integer('pages').notNull().default(0),
    rowsRead: integer('rows_read').notNull().default(0),
    rowsWritten: integer('rows_written').notNull().default(0),
    rowsUnchanged: integer('rows_unchanged').notNull().default(0),
    rowsRejected: integer('rows_rejected').notNull().default(0),
    /** The first rejected rows (SYNC_ISSUES_KEPT), each by row key and field. */
    issues: jsonb('issues').$type<SyncRunIssue[]>().notNull().default([]),
    /** Why the run failed: the source's failure, described without values. */
    error: text('error'),
    cursorBefore: text('cursor_before'),
    cursorAfter: text('cursor_after'),
    lagMs: doublePrecision('lag_ms'),
  },
  (t) => [index('sync_runs_source_idx').on(t.sourceId, t.startedAt.desc())],
);

/**
 * Which source last set each field of a customer (`email`, `phone`, `timeZone`, `locale`,
 * `attributes.<name>`), with that source's priority then and the time the value is from (the
 * row's updated time when mapped, else the sync's). The conflict rules read it; no value is kept.
 */
export const customerFieldSources = pgTable(
  'customer_field_sources',
  {
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    field: text('field').notNull(),
    sourceId: text('source_id').notNull(),
    priority: integer('priority').notNull(),
    valueAt: timestamp('value_at', { withTimezone: true, precision: 3 }).notNull(),
    syncedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.field] })],
);
