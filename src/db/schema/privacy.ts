import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';

export type ErasureStatus = 'erasing' | 'erased';
export type ErasedIdentifierKind = 'email' | 'phone' | 'push_token';

/**
 * A customer who asked to be forgotten (src/privacy). Written before anything is erased, so from
 * then on events, profile writes and sends for the id are refused; it outlives the customer row
 * (no foreign key: that row is gone once the erasure is done). `releasedAt`: the person came back
 * with a new opt-in (PUT with newOptIn) and the id is a fresh profile again.
 */
export const customerTombstones = pgTable('customer_tombstones', {
  customerId: text('customer_id').primaryKey(),
  status: text('status').$type<ErasureStatus>().notNull(),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
  erasedAt: timestamp('erased_at', { withTimezone: true }),
  releasedAt: timestamp('released_at', { withTimezone: true }),
  /** How many times the erasure went round (closing runs again that appeared meanwhile). */
  rounds: integer('rounds').notNull().default(0),
  /** Rows erased or anonymised per table, e.g. { events: 12, deliveries: 3 }: counts only. */
  erasedRows: jsonb('erased_rows').$type<Record<string, number>>(),
  /** Temporal executions whose history was deleted. */
  historiesDeleted: integer('histories_deleted').notNull().default(0),
  updatedAt: updatedAt(),
});

/**
 * The identifiers of erased customers, as keyed hashes (HMAC-SHA-256 with CAIRN_PRIVACY_KEY of
 * the normalised value), never in clear: a later profile write carrying one is refused without a
 * new opt-in, and the send path refuses an address whose hash is here. `suppressionReason`: the
 * address was suppressed (hard bounce, complaint, manual) when its customer was erased; such an
 * entry keeps blocking it for everyone, opt-in or not, as the suppression did.
 */
export const erasedIdentifiers = pgTable(
  'erased_identifiers',
  {
    kind: text('kind').$type<ErasedIdentifierKind>().notNull(),
    hash: text('hash').notNull(),
    /** The tombstone it came from (the first, if two erased customers shared the value). */
    customerId: text('customer_id').notNull(),
    suppressionReason: text('suppression_reason'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.hash] }),
    index('erased_identifiers_customer_idx').on(t.customerId),
  ],
);
