import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/database';
import { events } from '../../src/db/schema';
import type { JsonObject } from '../../src/journeys/run-types';
import { recordEvents } from '../../src/routing';
import type { AudienceEvent } from '../../src/routing/types';

export interface BatchItem {
  id: string;
  customerId: string;
  type: string;
  properties?: object;
  at?: string;
}

/**
 * Stores the events (deduplicated by id, as the API does) and returns the batch as the router
 * claims it, to hand to the audience pass (each row as stored: a merged-away customer's event
 * under its survivor).
 */
export async function storeAudienceBatch(
  db: Database,
  items: BatchItem[],
): Promise<AudienceEvent[]> {
  await recordEvents(
    db,
    items.map((item) => ({
      id: item.id,
      customerId: item.customerId,
      type: item.type,
      properties: (item.properties ?? {}) as JsonObject,
      ...(item.at ? { occurredAt: item.at } : {}),
    })),
    { now: new Date(), source: 'api' },
  );
  const rows = await db
    .select()
    .from(events)
    .where(sql`${events.id} = any(${sql.param(items.map((i) => i.id))}::text[])`);
  return rows.map((row) => ({
    id: row.id,
    customerId: row.customerId,
    type: row.type,
    occurredAt: row.occurredAt,
    properties: row.properties,
  }));
}
