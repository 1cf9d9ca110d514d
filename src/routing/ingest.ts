import { inArray } from 'drizzle-orm';
import { existingCustomerIds } from '../customers';
import type { Database } from '../db/database';
import { events } from '../db/schema';
import type { JourneyEvent, JsonObject } from '../journeys/run-types';
import { toJourneyEvent } from './journey-event';

export interface IncomingEvent {
  id: string;
  customerId: string;
  type: string;
  occurredAt?: string;
  properties?: JsonObject;
  /** Engagement and provider events name the delivery they concern (routed to its run only). */
  deliveryId?: string;
  /** Machine-readable flags, e.g. { machineOpen: true }, { bot: true }. */
  flags?: JsonObject;
}

export interface StoredEvent {
  id: string;
  duplicate: boolean;
  /** For a duplicate: whether the first copy has been routed. */
  routed: boolean;
  /** Set for newly stored events only: the event to route. */
  event: JourneyEvent | null;
}

/** Items (by index) whose customer does not exist; nothing of the batch was stored. */
export class UnknownCustomerError extends Error {
  constructor(readonly indexes: number[]) {
    super('event for an unknown customer');
    this.name = 'UnknownCustomerError';
  }
}

/**
 * Persists a batch of events, all or nothing, deduplicated by the caller's event id (an id seen
 * before, or twice in the batch, is stored once). New events are leased to the caller for
 * `leaseMs` so the background router leaves them alone while the caller routes them inline.
 */
export async function storeEvents(
  db: Database,
  items: IncomingEvent[],
  options: { now: Date; leaseMs: number; source?: string },
): Promise<StoredEvent[]> {
  return db.transaction(async (tx) => {
    await assertCustomersExist(tx, items);
    const firstById = new Map<string, IncomingEvent>();
    for (const item of items) if (!firstById.has(item.id)) firstById.set(item.id, item);
    const inserted = await tx
      .insert(events)
      .values([...firstById.values()].map((item) => toRow(item, options)))
      .onConflictDoNothing()
      .returning();
    const fresh = new Map(inserted.map((row) => [row.id, row]));
    const earlier = await routedStateOf(
      tx,
      items.filter((i) => !fresh.has(i.id)).map((i) => i.id),
    );
    const seen = new Set<string>();
    return items.map((item) => {
      const row = fresh.get(item.id);
      const isNew = row !== undefined && !seen.has(item.id);
      seen.add(item.id);
      if (isNew)
        return { id: item.id, duplicate: false, routed: false, event: toJourneyEvent(row) };
      return { id: item.id, duplicate: true, routed: earlier.get(item.id) ?? false, event: null };
    });
  });
}

function toRow(item: IncomingEvent, options: { now: Date; leaseMs: number; source?: string }) {
  return {
    id: item.id,
    customerId: item.customerId,
    type: item.type,
    occurredAt: item.occurredAt ? new Date(item.occurredAt) : options.now,
    receivedAt: options.now,
    properties: item.properties ?? {},
    source: options.source ?? 'api',
    ...(item.deliveryId !== undefined ? { deliveryId: item.deliveryId } : {}),
    ...(item.flags !== undefined ? { flags: item.flags } : {}),
    nextRoutingAt: new Date(options.now.getTime() + options.leaseMs),
  };
}

async function assertCustomersExist(db: Database, items: IncomingEvent[]): Promise<void> {
  const known = await existingCustomerIds(
    db,
    items.map((item) => item.customerId),
  );
  const missing = items.flatMap((item, index) => (known.has(item.customerId) ? [] : [index]));
  if (missing.length > 0) throw new UnknownCustomerError(missing);
}

async function routedStateOf(db: Database, ids: string[]): Promise<Map<string, boolean>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: events.id, routedAt: events.routedAt })
    .from(events)
    .where(inArray(events.id, ids));
  return new Map(rows.map((row) => [row.id, row.routedAt !== null]));
}
