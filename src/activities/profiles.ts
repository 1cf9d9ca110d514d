import { and, eq, inArray, max, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers, events } from '../db/schema';
import type { JsonObject, JsonValue, ProfileSnapshot } from '../journeys/run-types';
import { ENGAGEMENT_EVENT_TYPES } from './engagement';
import { customerNotFound, invalidRequest } from './failures';

export type CustomerRow = typeof customers.$inferSelect;

/** Snapshot fields that attributes may not shadow or set. */
const RESERVED_FIELDS = new Set([
  'id',
  'timeZone',
  'locale',
  'hasEmail',
  'hasPhone',
  'consent',
  'email',
  'phone',
  'last_engaged_at',
]);
const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Reads the customer now; never cached, so consent and contact data are as of this moment. */
export async function readCustomer(db: Database, customerId: string): Promise<CustomerRow | null> {
  const rows = await db.select().from(customers).where(eq(customers.id, customerId)).limit(1);
  return rows[0] ?? null;
}

/**
 * The profile as the run sees it. Workflow history is durable storage, so contact data stays out
 * of it: conditions get hasEmail/hasPhone, the send activity reads the address itself.
 */
export function toProfileSnapshot(customer: CustomerRow): ProfileSnapshot {
  const attributes: JsonObject = {};
  for (const [name, value] of Object.entries(customer.attributes)) {
    if (!RESERVED_FIELDS.has(name)) attributes[name] = value;
  }
  return {
    ...attributes,
    id: customer.id,
    timeZone: customer.timeZone,
    locale: customer.locale,
    hasEmail: Boolean(customer.email),
    hasPhone: Boolean(customer.phone),
    consent: { ...customer.consent },
  };
}

export function createProfileActivities(db: Database) {
  return {
    /** The customer's current profile; an unknown customer fails the activity for good. */
    loadProfile: async (customerId: string): Promise<ProfileSnapshot> => {
      requireId('loadProfile', customerId);
      const customer = await readCustomer(db, customerId);
      if (!customer) throw customerNotFound(customerId);
      const lastEngagedAt = await lastEngagement(db, customerId);
      return {
        ...toProfileSnapshot(customer),
        // "No engagement in the last N days": profile.last_engaged_at older_than 30d (missing
        // when the customer never engaged, so say that too: exists false).
        ...(lastEngagedAt ? { last_engaged_at: lastEngagedAt.toISOString() } : {}),
      };
    },

    /**
     * Merges `set` into the customer's attributes (a null value removes the attribute). Applying
     * the same update twice leaves the same profile, so retries are harmless.
     */
    applyProfileUpdate: async (customerId: string, set: JsonObject): Promise<ProfileSnapshot> => {
      requireId('applyProfileUpdate', customerId);
      const { kept, removed } = splitUpdate(set);
      let attributes = sql`${customers.attributes}`;
      if (removed.length > 0) {
        attributes = sql`(${attributes} - array[${sql.join(
          removed.map((name) => sql`${name}`),
          sql`, `,
        )}]::text[])`;
      }
      attributes = sql`(${attributes} || ${JSON.stringify(kept)}::jsonb)`;
      const rows = await db
        .update(customers)
        .set({ attributes, updatedAt: sql`now()` })
        .where(eq(customers.id, customerId))
        .returning();
      const customer = rows[0];
      if (!customer) throw customerNotFound(customerId);
      return toProfileSnapshot(customer);
    },
  };
}

function requireId(activity: string, customerId: unknown): void {
  if (typeof customerId !== 'string' || customerId.length === 0) {
    throw invalidRequest(activity, 'customerId must be a non-empty string');
  }
}

function splitUpdate(set: unknown): { kept: JsonObject; removed: string[] } {
  if (typeof set !== 'object' || set === null || Array.isArray(set)) {
    throw invalidRequest('applyProfileUpdate', 'set must be an object of attribute name → value');
  }
  const kept: JsonObject = {};
  const removed: string[] = [];
  for (const [name, value] of Object.entries(set as Record<string, JsonValue | undefined>)) {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalidRequest(
        'applyProfileUpdate',
        `set.${name}: attribute names are letters, digits and _`,
      );
    }
    if (RESERVED_FIELDS.has(name)) {
      throw invalidRequest(
        'applyProfileUpdate',
        `set.${name}: a built-in profile field, not an attribute`,
      );
    }
    if (value === undefined) continue;
    if (value === null) removed.push(name);
    else kept[name] = value;
  }
  return { kept, removed };
}

/** When the customer last opened, clicked or read anything we sent, or null. */
async function lastEngagement(db: Database, customerId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: max(events.occurredAt) })
    .from(events)
    .where(and(eq(events.customerId, customerId), inArray(events.type, ENGAGEMENT_EVENT_TYPES)));
  return row?.at ?? null;
}
