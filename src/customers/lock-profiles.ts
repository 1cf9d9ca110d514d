import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers } from '../db/schema';
import type { JsonObject } from '../journeys/run-types';

/** A stored profile's fields a merge decides on (src/sync's conflict rules). */
export interface LockedProfile {
  email: string | null;
  phone: string | null;
  timeZone: string | null;
  locale: string | null;
  attributes: JsonObject;
  updatedAt: Date;
}

/**
 * The stored profiles of these ids, locked until the caller's transaction ends (in id order, as
 * the staged upsert locks them), so a decision made on what they hold is not lost to a concurrent
 * change before the write. Ids with no customer are left out.
 */
export async function lockProfiles(
  tx: Database,
  ids: string[],
): Promise<Map<string, LockedProfile>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({
      id: customers.id,
      email: customers.email,
      phone: customers.phone,
      timeZone: customers.timeZone,
      locale: customers.locale,
      attributes: customers.attributes,
      updatedAt: customers.updatedAt,
    })
    .from(customers)
    .where(sql`${customers.id} = any(${sql.param([...new Set(ids)])})`)
    .orderBy(customers.id)
    .for('update');
  return new Map(rows.map(({ id, ...profile }) => [id, profile]));
}
