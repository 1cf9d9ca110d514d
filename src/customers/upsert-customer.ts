import { eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers, type Consent } from '../db/schema';
import { lockConsentForChange } from '../guardrails/consent-gate';
import type { JsonObject, JsonValue } from '../journeys/run-types';
import type { CustomerRow } from './read-customer';

/**
 * A change to a customer: fields present replace the stored value (null clears it); attributes
 * and consent are merged key by key, and an attribute set to null is removed.
 */
export interface CustomerChange {
  email?: string | null;
  phone?: string | null;
  timeZone?: string | null;
  locale?: string | null;
  attributes?: Record<string, JsonValue>;
  consent?: Consent;
}

/**
 * Creates or updates the customer in one transaction; `created` says which. `source` (api,
 * website, crm, …) joins the profile's sources.
 */
export async function upsertCustomer(
  db: Database,
  id: string,
  change: CustomerChange,
  source = 'api',
): Promise<{ row: CustomerRow; created: boolean }> {
  return db.transaction(async (tx) => {
    // A consent change waits for sends on their way and holds new ones until it commits.
    if (change.consent !== undefined) await lockConsentForChange(tx, id);
    const inserted = await tx
      .insert(customers)
      .values({
        id,
        ...scalarFields(change),
        attributes: mergeAttributes({}, change.attributes),
        consent: change.consent ?? {},
        sources: [source],
      })
      .onConflictDoNothing()
      .returning();
    if (inserted[0]) return { row: inserted[0], created: true };
    // Merging needs the stored row; the lock keeps concurrent merges from losing keys.
    const [current] = await tx.select().from(customers).where(eq(customers.id, id)).for('update');
    const [row] = await tx
      .update(customers)
      .set({
        ...scalarFields(change),
        attributes: mergeAttributes(current?.attributes ?? {}, change.attributes),
        consent: { ...current?.consent, ...(change.consent ?? {}) },
        sources: withSource(current?.sources ?? [], source),
        updatedAt: new Date(),
      })
      .where(eq(customers.id, id))
      .returning();
    return { row: row as CustomerRow, created: false };
  });
}

function scalarFields(change: CustomerChange) {
  const fields: Partial<Pick<CustomerRow, 'email' | 'phone' | 'timeZone' | 'locale'>> = {};
  if (change.email !== undefined) fields.email = change.email;
  if (change.phone !== undefined) fields.phone = change.phone;
  if (change.timeZone !== undefined) fields.timeZone = change.timeZone;
  if (change.locale !== undefined) fields.locale = change.locale;
  return fields;
}

function mergeAttributes(current: JsonObject, changes: CustomerChange['attributes']): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [name, value] of Object.entries(changes ?? {})) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

/** The profile's sources with this one, in the order they first wrote it. */
export function withSource(sources: string[], source: string): string[] {
  return sources.includes(source) ? sources : [...sources, source];
}
