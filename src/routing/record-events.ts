import { existingCustomerIds } from '../customers';
import type { Database } from '../db/database';
import { canonicalEventType } from '../journeys/event-names';
import type { JsonObject } from '../journeys/run-types';
import { eventSizeLimit } from './payload-limits';

/** An event as a source hands it in (the API, tracking, unsubscribe, bounces, Twilio, the inbox). */
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
  /**
   * Stored for reports and the timeline but never routed (machine engagement excluded by
   * configuration): it leaves the outbox as it enters it.
   */
  notRouted?: boolean;
}

export interface RecordedEvent {
  id: string;
  /** true: this id was stored before (or earlier in the same batch); nothing new was stored. */
  duplicate: boolean;
  /** true only for a duplicate whose first copy has already been routed. */
  routed: boolean;
}

export interface RecordOptions {
  /** Where the events came from: api, tracking, one_click, twilio, inbox, … */
  source: string;
  /** Received at; also when they fall due for the router. Default: now. */
  now?: Date;
  /** The largest event stored (its properties and flags as JSON); default eventSizeLimit(). */
  maxEventBytes?: number;
  /**
   * Check that a named delivery is the item's customer's (default true: fail closed). Only a
   * source that takes the delivery from Cairn's own rows (the inbox message's ledger row) may
   * turn it off.
   */
  checkDeliveries?: boolean;
  /**
   * Stored as imported history is (events.audience_only): given the audience upkeep beside the
   * live passes, never routed to a journey. For what imported history itself changes in the
   * audience (a segment entry it causes), so that history starts no journey at second hand.
   */
  audienceOnly?: boolean;
}

/** Items (by index) whose customer does not exist; nothing of the batch was stored. */
export class UnknownCustomerError extends Error {
  constructor(readonly indexes: number[]) {
    super('event for an unknown customer');
    this.name = 'UnknownCustomerError';
  }
}

/**
 * Items (by index) for a customer whose erasure has begun or is done (src/privacy's tombstone,
 * not released by a new opt-in); nothing of the batch was stored.
 */
export class CustomerErasedError extends Error {
  constructor(readonly indexes: number[]) {
    super('event for an erased customer');
    this.name = 'CustomerErasedError';
  }
}

/**
 * Items (by index) naming a delivery that is not their own customer's, or does not exist. An event
 * may only speak about its customer's messages: a click must never move another customer's run.
 */
export class ForeignDeliveryError extends Error {
  constructor(readonly indexes: number[]) {
    super('event names a delivery that is not its customer’s');
    this.name = 'ForeignDeliveryError';
  }
}

/**
 * Items (by index) too large to route: an event rides in the start input of the runs it triggers
 * and in the signals to the runs that listen, and Temporal refuses a payload over its limit, so an
 * event Temporal cannot take is refused here rather than stored and retried forever.
 */
export class OversizedEventError extends Error {
  constructor(
    readonly indexes: number[],
    readonly limitBytes: number,
  ) {
    super(`event larger than ${limitBytes} bytes`);
    this.name = 'OversizedEventError';
  }
}

/** Refuses the events whose properties and flags, as stored (JSON, UTF-8), exceed the limit. */
function refuseOversized(properties: string[], flags: (string | null)[], limitBytes: number): void {
  const indexes = properties.flatMap((json, index) =>
    Buffer.byteLength(json) + Buffer.byteLength(flags[index] ?? '') > limitBytes ? [index] : [],
  );
  if (indexes.length > 0) throw new OversizedEventError(indexes, limitBytes);
}

/**
 * The statement for events that name no delivery to check (most of them): a plain multi-row
 * INSERT … SELECT FROM unnest, cheap to plan. Its text and its parameters do not depend on the
 * batch size, so it is prepared once per connection. The customers' foreign key refuses a batch
 * with an unknown customer as a whole (one statement: all or nothing without a transaction);
 * `distinct on` keeps the first copy of an id repeated within the batch and ON CONFLICT skips ids
 * stored before. An event for a customer merged away (src/identity) is stored for its survivor,
 * through the flat redirect table in the same statement. A batch naming an erased customer (a
 * standing tombstone) stores nothing at all:
 * the check is one index lookup of the batch's ids, evaluated once, and the follow-up statement
 * names the items.
 */
const INSERT_EVENTS_SQL = `
insert into events (id, customer_id, type, occurred_at, received_at, properties, source,
                    delivery_id, flags, next_routing_at, routed_at, audience_only)
select distinct on (t.id) t.id, coalesce(r.survivor_id, t.customer_id), t.type,
       coalesce(t.occurred_at::timestamptz, $9::timestamptz), $9::timestamptz,
       coalesce(t.properties::jsonb, '{}'::jsonb), $10::text, t.delivery_id::uuid, t.flags::jsonb,
       $9::timestamptz, case when t.not_routed::boolean then $9::timestamptz end, $11::boolean
  from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
              $8::text[])
       with ordinality as t(id, customer_id, type, occurred_at, properties, delivery_id, flags,
                            not_routed, ord)
       left join customer_redirects r on r.customer_id = t.customer_id
 where not exists (select 1 from customer_tombstones tb
                    where tb.customer_id = any($2::text[]) and tb.released_at is null)
 order by t.id, t.ord
on conflict (id) do nothing
returning id`;

/**
 * Of these ids (not stored: duplicates of earlier copies, or refused), the ones already routed;
 * and of these customers, the erased ones.
 */
const REPEATED_IDS_SQL = `
select 'routed' as kind, id from events where id = any($1::text[]) and routed_at is not null
union all
select 'erased', customer_id from customer_tombstones
 where customer_id = any($2::text[]) and released_at is null`;

/**
 * The statement for events that name a delivery to check. Its text and its parameters do not depend on the
 * batch size, so it is prepared once per connection. The refused CTE checks every item's customer
 * and delivery; any refusal stores nothing (one statement: all or nothing without a transaction).
 * `distinct on` keeps the first copy of an id repeated within the batch; ON CONFLICT skips ids
 * stored before. The final select reads the statement's snapshot, which excludes the rows it
 * inserts: `routed` lists only earlier copies that were routed.
 */
const RECORD_EVENTS_SQL = `
with input as (
  select t.ord, t.id, coalesce(r.survivor_id, t.customer_id) as customer_id,
         t.customer_id as named_customer_id, t.type, t.occurred_at::timestamptz as occurred_at,
         t.properties::jsonb as properties, t.delivery_id::uuid as delivery_id,
         t.flags::jsonb as flags, t.not_routed::boolean as not_routed
    from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::text[], $8::text[])
         with ordinality as t(id, customer_id, type, occurred_at, properties, delivery_id, flags,
                              not_routed, ord)
         left join customer_redirects r on r.customer_id = t.customer_id
),
refused as (
  select i.ord,
         exists (select 1 from customer_tombstones tb
                  where tb.customer_id = i.customer_id and tb.released_at is null) as erased_customer,
         not exists (select 1 from customers c where c.id = i.customer_id) as unknown_customer,
         i.delivery_id is not null and not exists (
           select 1 from deliveries d
            where d.id = i.delivery_id
              and (d.customer_id in (i.customer_id, i.named_customer_id)
                   or exists (select 1 from customer_redirects r2
                               where r2.customer_id = d.customer_id
                                 and r2.survivor_id = i.customer_id))) as foreign_delivery
    from input i
),
stored as (
  insert into events (id, customer_id, type, occurred_at, received_at, properties, source,
                      delivery_id, flags, next_routing_at, routed_at, audience_only)
  select distinct on (i.id) i.id, i.customer_id, i.type, coalesce(i.occurred_at, $9::timestamptz),
         $9::timestamptz, coalesce(i.properties, '{}'::jsonb), $10::text, i.delivery_id, i.flags,
         $9::timestamptz, case when i.not_routed then $9::timestamptz end, $11::boolean
    from input i
   where not exists (select 1 from refused r
                      where r.erased_customer or r.unknown_customer or r.foreign_delivery)
   order by i.id, i.ord
  on conflict (id) do nothing
  returning id
)
select json_build_object(
  'erasedCustomers',
    coalesce((select json_agg(r.ord - 1 order by r.ord) from refused r where r.erased_customer), '[]'),
  'unknownCustomers',
    coalesce((select json_agg(r.ord - 1 order by r.ord) from refused r where r.unknown_customer), '[]'),
  'foreignDeliveries',
    coalesce((select json_agg(r.ord - 1 order by r.ord) from refused r where r.foreign_delivery), '[]'),
  'stored', coalesce((select json_agg(s.id) from stored s), '[]'),
  'routed', coalesce((select json_agg(e.id) from events e
                       where e.id in (select i.id from input i) and e.routed_at is not null), '[]')
) as outcome`;

interface Outcome {
  erasedCustomers: number[];
  unknownCustomers: number[];
  foreignDeliveries: number[];
  stored: string[];
  routed: string[];
}

/**
 * The only writer of new events: stores a batch all or nothing in one statement (a second only to
 * name the items refused, or to tell whether repeated ids were routed), deduplicated by
 * the caller's event id (an id seen before, or twice in the batch, is stored once). New events are
 * due for the router at once; the caller notifies its OutboxSignal once its transaction commits.
 * Throws CustomerErasedError, then ForeignDeliveryError, then UnknownCustomerError, naming the
 * items, and stores nothing.
 * Results are in the order of the items.
 */
export async function recordEvents(
  db: Database,
  items: IncomingEvent[],
  options: RecordOptions,
): Promise<RecordedEvent[]> {
  if (items.length === 0) return [];
  const params = columns(items, options);
  const checkDeliveries = options.checkDeliveries !== false;
  if (checkDeliveries && items.some((item) => item.deliveryId !== undefined)) {
    return recordCheckingDeliveries(db, items, params);
  }
  const stored = new Set(
    await insertOrExplain(db, items, () =>
      runPrepared(db, 'insert_events', INSERT_EVENTS_SQL, params, idsOf),
    ),
  );
  const repeated = items.filter((item) => !stored.has(item.id));
  if (repeated.length === 0) return inItemOrder(items, stored, new Set());
  // Only when some were not stored (before, repeated in the batch, or refused): were their first
  // copies routed, and is any of the customers erased?
  const found = await runPrepared(
    db,
    'repeated_event_ids',
    REPEATED_IDS_SQL,
    [repeated.map((item) => item.id), [...new Set(items.map((item) => item.customerId))]],
    (rows) => rows.map((row) => ({ kind: String(row[0]), id: String(row[1]) })),
  );
  const erased = new Set(found.filter((f) => f.kind === 'erased').map((f) => f.id));
  // Something stored: the insert saw no tombstone (one written since does not undo it).
  if (stored.size === 0 && erased.size > 0) {
    throw new CustomerErasedError(
      items.flatMap((item, index) => (erased.has(item.customerId) ? [index] : [])),
    );
  }
  const routed = new Set(found.filter((f) => f.kind === 'routed').map((f) => f.id));
  return inItemOrder(items, stored, routed);
}

/** The eleven parameters every statement storing events takes first. */
function columns(items: IncomingEvent[], options: RecordOptions): unknown[] {
  const properties = items.map((i) => JSON.stringify(i.properties ?? {}));
  const flags = items.map((i) => (i.flags === undefined ? null : JSON.stringify(i.flags)));
  refuseOversized(properties, flags, options.maxEventBytes ?? eventSizeLimit());
  return [
    items.map((i) => i.id),
    items.map((i) => i.customerId),
    // An alias is stored under its canonical name, so journeys waiting for it never miss it.
    items.map((i) => canonicalEventType(i.type)),
    items.map((i) => i.occurredAt ?? null),
    properties,
    items.map((i) => i.deliveryId ?? null),
    flags,
    items.map((i) => (i.notRouted ? 'true' : 'false')),
    (options.now ?? new Date()).toISOString(),
    options.source,
    options.audienceOnly === true,
  ];
}

/**
 * Runs the insert; when the customers' foreign key refused it (nothing was stored), a second query
 * finds which items name an unknown customer. Inside a caller's transaction that query cannot run
 * (the failed statement aborted it): the original error goes up, and the transaction with it.
 */
async function insertOrExplain<T>(
  db: Database,
  items: IncomingEvent[],
  insert: () => Promise<T>,
): Promise<T> {
  try {
    return await insert();
  } catch (error) {
    if (!isForeignKeyViolation(error)) throw error;
    const known = await existingCustomerIds(
      db,
      items.map((item) => item.customerId),
    ).catch(() => null);
    const missing = items.flatMap((item, index) => (known?.has(item.customerId) ? [] : [index]));
    if (known && missing.length > 0) throw new UnknownCustomerError(missing);
    throw error;
  }
}

/** Postgres's foreign_key_violation, as postgres.js or PGlite raise it (drizzle wraps it). */
function isForeignKeyViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 3; depth += 1) {
    if ((e as { code?: unknown }).code === '23503') return true;
    e = e.cause;
  }
  return false;
}

const idsOf = (rows: unknown[][]): string[] => rows.map((row) => String(row[0]));

/** Results in the order of the items: the first copy of a newly stored id is new, the rest repeats. */
function inItemOrder(
  items: IncomingEvent[],
  stored: Set<string>,
  routed: Set<string>,
): RecordedEvent[] {
  const fresh = new Set(stored);
  return items.map((item) => {
    const isNew = fresh.delete(item.id);
    return { id: item.id, duplicate: !isNew, routed: !isNew && routed.has(item.id) };
  });
}

/** recordEvents for a batch naming deliveries: checked, stored and explained in one statement. */
async function recordCheckingDeliveries(
  db: Database,
  items: IncomingEvent[],
  params: unknown[],
): Promise<RecordedEvent[]> {
  const outcome = await runPrepared(db, 'record_events', RECORD_EVENTS_SQL, params, (rows) => {
    const value = rows[0]?.[0];
    return (typeof value === 'string' ? JSON.parse(value) : value) as Outcome;
  });
  // An erased customer's deliveries are anonymised: erased comes before "not theirs".
  if (outcome.erasedCustomers.length > 0) throw new CustomerErasedError(outcome.erasedCustomers);
  if (outcome.foreignDeliveries.length > 0)
    throw new ForeignDeliveryError(outcome.foreignDeliveries);
  if (outcome.unknownCustomers.length > 0) throw new UnknownCustomerError(outcome.unknownCustomers);
  return inItemOrder(items, new Set(outcome.stored), new Set(outcome.routed));
}

/**
 * Runs a fixed statement as a prepared one through drizzle's session (db or transaction), in one
 * round trip once the connection has prepared it, with rows as arrays on either driver (a json
 * column comes back parsed by postgres.js, as text by a driver that does not parse it).
 */
async function runPrepared<T>(
  db: Database,
  name: string,
  text: string,
  params: unknown[],
  map: (rows: unknown[][]) => T,
): Promise<T> {
  const query = db._.session.prepareQuery<{ execute: T; all: unknown; values: unknown }>(
    { sql: text, params },
    undefined,
    name,
    true,
    map,
  );
  return query.execute();
}
