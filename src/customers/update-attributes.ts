import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers } from '../db/schema';
import type { JsonObject, JsonValue } from '../journeys/run-types';
import { BUILT_IN_PROFILE_FIELDS } from './profile-snapshot';
import type { CustomerRow } from './read-customer';

const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** An update no retry can fix; `path` names the offending entry (e.g. "set.email"), never a value. */
export class AttributeUpdateError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'AttributeUpdateError';
  }
}

/**
 * Merges `set` into the customer's attributes (a null value removes the attribute) in one
 * statement, so concurrent updates never lose each other's keys. Applying the same update twice
 * leaves the same row, so retries are harmless. Null for an unknown customer.
 */
export async function updateAttributes(
  db: Database,
  customerId: string,
  set: unknown,
): Promise<CustomerRow | null> {
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
  return rows[0] ?? null;
}

function splitUpdate(set: unknown): { kept: JsonObject; removed: string[] } {
  if (typeof set !== 'object' || set === null || Array.isArray(set)) {
    throw new AttributeUpdateError('set', 'must be an object of attribute name → value');
  }
  const kept: JsonObject = {};
  const removed: string[] = [];
  for (const [name, value] of Object.entries(set as Record<string, JsonValue | undefined>)) {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw new AttributeUpdateError(`set.${name}`, 'attribute names are letters, digits and _');
    }
    if (BUILT_IN_PROFILE_FIELDS.has(name)) {
      throw new AttributeUpdateError(`set.${name}`, 'a built-in profile field, not an attribute');
    }
    if (value === undefined) continue;
    if (value === null) removed.push(name);
    else kept[name] = value;
  }
  return { kept, removed };
}
