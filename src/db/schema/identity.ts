import { sql } from 'drizzle-orm';
import {
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { JsonObject } from '../../journeys/run-types';
import { customers } from './customers';

/**
 * Identifiers that point at a customer (src/identity). `type` is userId, anonymousId, email,
 * phone or `external:<source>`; `value` is normalised (see src/identity/normalise.ts), so one
 * (type, value) names one customer: the primary key is what makes two concurrent first events
 * agree on one customer. Email and phone are PII: erased with the customer (src/privacy).
 */
export const customerIdentifiers = pgTable(
  'customer_identifiers',
  {
    type: text('type').notNull(),
    value: text('value').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    /** Where the identifier was first seen (api, website, crm, ...), or null. */
    source: text('source'),
    firstSeen: timestamp('first_seen', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.type, t.value] }),
    index('customer_identifiers_customer_idx').on(t.customerId),
  ],
);

/**
 * Merges, applied and refused. An applied merge keeps what it moved (`moved`: row keys per table,
 * the consent and attributes both customers had), so unmerge can put it back; a refused one keeps
 * its reason (a limit, a value that never merges) once per pair.
 */
export const customerMerges = pgTable(
  'customer_merges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fromCustomerId: text('from_customer_id').notNull(),
    intoCustomerId: text('into_customer_id').notNull(),
    /** applied | refused | unmerged */
    status: text('status').notNull(),
    /** Why: identify, shared_email, manual, or the refusal (limit:anonymousId, …). */
    reason: text('reason').notNull(),
    /** Who or what caused it: the API key's request, resolveCustomer with its source, … */
    causedBy: text('caused_by').notNull(),
    moved: jsonb('moved').$type<JsonObject>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    unmergedAt: timestamp('unmerged_at', { withTimezone: true }),
  },
  (t) => [
    index('customer_merges_from_idx').on(t.fromCustomerId),
    index('customer_merges_into_idx').on(t.intoCustomerId),
    // A refusal is recorded once per pair, however many events repeat it.
    uniqueIndex('customer_merges_refused_pair_idx')
      .on(t.fromCustomerId, t.intoCustomerId)
      .where(sql`${t.status} = 'refused'`),
  ],
);

/**
 * A customer merged away, and the customer that survived it: flattened (a merge into a customer
 * that was itself merged later points at the last survivor), so following it is one lookup.
 */
export const customerRedirects = pgTable(
  'customer_redirects',
  {
    customerId: text('customer_id')
      .primaryKey()
      .references(() => customers.id),
    survivorId: text('survivor_id')
      .notNull()
      .references(() => customers.id),
    mergeId: uuid('merge_id').notNull(),
  },
  (t) => [index('customer_redirects_survivor_idx').on(t.survivorId)],
);
