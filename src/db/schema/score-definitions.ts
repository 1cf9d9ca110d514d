import { integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { JsonObject } from '../../journeys/run-types';
import { createdAt, updatedAt } from './columns';

export type ScoreKind = 'decaying' | 'profile_quality' | 'rfm';

/**
 * The scores (src/scores): the built-ins, installed at startup, and those users published
 * (POST /v1/scores), in one catalogue (src/audience/score-catalogue.ts). A score keeps its kind.
 * `latestVersion` is the newest published; `activeVersion` the one readers read (segments, the
 * profile, journeys). They differ while a new decaying version is backfilled from event history
 * by the router, page by page in customer id order (`backfillCursor`: the last id done), so
 * readers never see a new version before it holds the history; 0: none active yet.
 */
export const scoreDefinitions = pgTable('score_definitions', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').$type<ScoreKind>().notNull(),
  activeVersion: integer('active_version').notNull().default(0),
  latestVersion: integer('latest_version').notNull(),
  backfillCursor: text('backfill_cursor'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Score versions are immutable, like segment versions: the zod-checked definition, as JSON. */
export const scoreVersions = pgTable(
  'score_versions',
  {
    scoreId: text('score_id')
      .notNull()
      .references(() => scoreDefinitions.id),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<JsonObject>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.scoreId, t.version] })],
);
