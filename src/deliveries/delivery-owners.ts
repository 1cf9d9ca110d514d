import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries } from '../db/schema';

/**
 * The customer each of these deliveries belongs to, by delivery id; unknown ids are absent. For
 * callers that must check an event names a delivery of its own customer (POST /v1/events).
 */
export async function deliveryOwners(db: Database, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: deliveries.id, customerId: deliveries.customerId })
    .from(deliveries)
    // One array parameter: one statement text (prepared once per connection) for any number of ids.
    .where(sql`${deliveries.id} = any(${sql.param([...new Set(ids)])})`);
  // An erased customer's (anonymised) delivery belongs to nobody: absent, as an unknown id.
  return new Map(
    rows.flatMap((row) => (row.customerId === null ? [] : [[row.id, row.customerId] as const])),
  );
}
