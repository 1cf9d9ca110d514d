import { eraseCustomerAudience } from '../audience/customer-audience';
import { listTokens, removeAllCustomerTokens } from '../channels/device-tokens';
import { anonymiseCustomerConversions } from '../conversions/customer-conversions';
import { customerContacts, deleteCustomerRow } from '../customers/erase-customer';
import { anonymiseCustomerDeliveries } from '../deliveries/anonymise-deliveries';
import { takeSuppressions } from '../guardrails/customer-suppressions';
import { eraseTopicChoices } from '../guardrails/topics';
import { contactIdentifiers, eraseCustomerIdentity } from '../identity/customer-identity';
import { eraseInbox } from '../inbox/inbox-messages';
import { eraseCustomerEvents, eraseCustomerRuns } from '../routing/customer-erasure';
import { eraseFieldSources } from '../sync';
import { eraseCustomerDeliveryLinks } from '../tracking/delivery-links';
import type { CustomerEraser, IdentifierSource } from './customer-eraser';
import { carrySuppressions } from './erased-identifiers';
import {
  hashIdentifier,
  identifierKindOf,
  suppressionChannelOf,
  type CustomerIdentifier,
} from './identifier-hash';

/**
 * Every place a customer's identifiers live. Their hashes go into the tombstone first, so the
 * send path refuses the addresses while the rows are still being erased.
 */
export const IDENTIFIER_SOURCES: readonly IdentifierSource[] = [
  {
    domain: 'customers',
    async identifiers(db, customerId) {
      const contacts = await customerContacts(db, customerId);
      const found: CustomerIdentifier[] = [];
      if (contacts?.email) found.push({ kind: 'email', value: contacts.email });
      if (contacts?.phone) found.push({ kind: 'phone', value: contacts.phone });
      return found;
    },
  },
  {
    domain: 'devices',
    async identifiers(db, customerId) {
      const tokens = await listTokens(db, customerId);
      return tokens.map((row) => ({ kind: 'push_token' as const, value: row.token }));
    },
  },
  {
    // Emails and phones the customer was known by (src/identity), also ones no longer on the profile.
    domain: 'identity',
    identifiers: (db, customerId) => contactIdentifiers(db, customerId),
  },
];

/**
 * The erasers of one erasure, in the order they run, in one transaction. The order follows the
 * data: rows found through the ledger (links) go before the ledger is anonymised, and the
 * profile goes last, when no table refers to it any more (its foreign keys check that).
 */
export const CUSTOMER_ERASERS: readonly CustomerEraser[] = [
  {
    domain: 'inbox',
    action: 'delete',
    tables: ['in_app_messages'],
    erase: async (db, { customerId }) => ({ in_app_messages: await eraseInbox(db, customerId) }),
  },
  {
    domain: 'tracking',
    action: 'delete',
    tables: ['delivery_links'],
    erase: async (db, { customerId }) => ({
      delivery_links: await eraseCustomerDeliveryLinks(db, customerId),
    }),
  },
  {
    domain: 'conversions',
    action: 'anonymise',
    tables: ['conversions'],
    erase: async (db, { customerId }) => ({
      conversions: await anonymiseCustomerConversions(db, customerId),
    }),
  },
  {
    domain: 'deliveries',
    action: 'anonymise',
    tables: ['deliveries'],
    erase: async (db, { customerId }) => ({
      deliveries: await anonymiseCustomerDeliveries(db, customerId),
    }),
  },
  {
    domain: 'devices',
    action: 'delete',
    tables: ['device_tokens'],
    erase: async (db, { customerId }) => ({
      device_tokens: (await removeAllCustomerTokens(db, customerId)).length,
    }),
  },
  {
    domain: 'topics',
    action: 'delete',
    tables: ['customer_topics'],
    erase: async (db, { customerId }) => ({
      customer_topics: await eraseTopicChoices(db, customerId),
    }),
  },
  {
    // The list names addresses in clear; the erased customer's entries leave it and keep
    // blocking as hashed tombstone entries (a hard bounce stays a hard bounce).
    domain: 'suppressions',
    action: 'delete',
    tables: ['suppressions'],
    async erase(db, { customerId, identifiers, key }) {
      const taken = await takeSuppressions(
        db,
        identifiers.map((identifier) => ({
          channel: suppressionChannelOf(identifier.kind),
          address: identifier.value,
        })),
      );
      await carrySuppressions(
        db,
        customerId,
        taken.map((entry) => ({
          ...hashIdentifier(key, { kind: identifierKindOf(entry.channel), value: entry.address }),
          reason: entry.reason,
        })),
      );
      return { suppressions: taken.length };
    },
  },
  {
    domain: 'audience',
    action: 'delete',
    tables: [
      'segment_memberships',
      'segment_due_checks',
      'customer_scores',
      'score_contributions',
      'rfm_scores',
      'profile_rule_applications',
      'customer_lifecycle',
      'lifecycle_due_checks',
    ],
    erase: (db, { customerId }) => eraseCustomerAudience(db, customerId),
  },
  {
    domain: 'routing',
    action: 'delete',
    tables: ['events', 'journey_runs'],
    erase: async (db, { customerId }) => ({
      events: await eraseCustomerEvents(db, customerId),
      journey_runs: await eraseCustomerRuns(db, customerId),
    }),
  },
  {
    domain: 'identity',
    action: 'delete',
    tables: ['customer_identifiers', 'customer_merges', 'customer_redirects'],
    erase: (db, { customerId }) => eraseCustomerIdentity(db, customerId),
  },
  {
    // Which source set which field of the profile: ids and field names, and it refers to it.
    domain: 'sync',
    action: 'delete',
    tables: ['customer_field_sources'],
    erase: async (db, { customerId }) => ({
      customer_field_sources: await eraseFieldSources(db, customerId),
    }),
  },
  {
    domain: 'customers',
    action: 'delete',
    tables: ['customers'],
    erase: async (db, { customerId }) => ({ customers: await deleteCustomerRow(db, customerId) }),
  },
];

/**
 * Tables an erasure leaves as they are, and why. Together with CUSTOMER_ERASERS they name every
 * table of src/db/schema (test/privacy checks it), so a new table has to be decided on.
 */
export const TABLES_KEPT: Readonly<Record<string, string>> = {
  journeys: 'journey definitions: written by operators, about no customer',
  journey_versions: 'immutable journey definitions',
  segments: 'segment definitions',
  segment_versions: 'immutable segment definitions',
  score_runs: 'when each score version was recomputed, with counts: about no customer',
  score_definitions:
    'score definitions (a backfill cursor is a customer id, as kept in the tombstone, while it runs)',
  score_versions: 'immutable score definitions',
  topics: 'the subscription topics themselves; the customer’s choices are erased',
  customer_tombstones: 'the tombstone: the customer id, states and counts, nothing personal',
  erased_identifiers: 'the tombstone’s identifiers, as keyed hashes only',
  spec_messages: 'accepted Segment-spec messageIds and call types: no customer, no content',
  sync_sources: 'source configurations: about no customer (secrets stay in the environment)',
  sync_runs: 'each sync run’s counts and first rejected rows by customer id and field, no values',
};
