import {
  doublePrecision,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { customers } from './customers';

/**
 * Each customer's RFM score (src/scores/rfm.ts) as the last recompute found it: the measures of
 * their purchases in the window, the quintile of each, the cell and the value conditions read (r +
 * f + m). A customer with no purchase in the window has no row. Written only by the recompute
 * (src/audience/rfm-recompute.ts), a few statements for everyone, and only where something changed:
 * recency is kept as the time of the last purchase, so a day passing rewrites no row. Kept per
 * definition version.
 */
export const rfmScores = pgTable(
  'rfm_scores',
  {
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    scoreId: text('score_id').notNull(),
    version: integer('version').notNull(),
    lastPurchaseAt: timestamp('last_purchase_at', { withTimezone: true, precision: 3 }).notNull(),
    purchases: integer('purchases').notNull(),
    monetary: doublePrecision('monetary').notNull(),
    r: smallint('r').notNull(),
    f: smallint('f').notNull(),
    m: smallint('m').notNull(),
    cell: text('cell').notNull(),
    value: smallint('value').notNull(),
    /** When the cell last changed (its first recompute, for a cell never changed). */
    cellSince: timestamp('cell_since', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.scoreId, t.version] })],
);

/** Each recomputed score's last run: what its rows are as of, and what it found. */
export const scoreRuns = pgTable(
  'score_runs',
  {
    scoreId: text('score_id').notNull(),
    version: integer('version').notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true, precision: 3 }).notNull(),
    scored: integer('scored').notNull(),
    changed: integer('changed').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scoreId, t.version] })],
);
