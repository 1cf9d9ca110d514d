import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';

/**
 * The bulk writer of the events table, beside recordEvents (its writer for requests): a bulk
 * import fills the temporary table STAGED_EVENTS (by COPY) in its transaction, and
 * storeStagedEvents moves its rows into the outbox in one set-based statement. Rows whose customer
 * does not exist, or whose delivery is not the customer's, are refused by line — the same refusals
 * as recordEvents, per row instead of per batch — and the rest are stored, deduplicated by event
 * id (ON CONFLICT DO NOTHING: an id stored before, or on an earlier line, stores nothing new).
 */

/** The staging table's definition, and the columns a COPY fills, in this order. */
export const STAGED_EVENTS_DDL = sql`
  create temporary table staged_events (
    line int not null, id text not null, customer_id text not null, type text not null,
    occurred_at timestamptz, properties jsonb not null, delivery_id uuid
  ) on commit drop`;
export const STAGED_EVENTS_COLUMNS = [
  ['line', 'int'],
  ['id', 'text'],
  ['customer_id', 'text'],
  ['type', 'text'],
  ['occurred_at', 'timestamptz'],
  ['properties', 'jsonb'],
  ['delivery_id', 'uuid'],
] as const;
export const STAGED_EVENTS_TABLE = 'staged_events';

export interface StagedStoreOptions {
  /** Where the events came from (import, or the source system the import names). */
  source: string;
  now: Date;
  /**
   * true: imported history — the router gives it the audience upkeep and routes it to no journey
   * (events.audience_only); false: routed like any event.
   */
  audienceOnly: boolean;
  /** Refused lines named in the answer (the counts cover all). */
  linesShown: number;
}

export interface StagedStoreOutcome {
  /** Rows stored as new events. */
  stored: number;
  /** Rows whose customer and delivery were accepted (stored + duplicates). */
  accepted: number;
  unknownCustomerLines: number[];
  unknownCustomerCount: number;
  foreignDeliveryLines: number[];
  foreignDeliveryCount: number;
}

export async function storeStagedEvents(
  tx: Database,
  options: StagedStoreOptions,
): Promise<StagedStoreOutcome> {
  const at = options.now.toISOString();
  const [row] = rowsOf<{
    stored: number;
    accepted: number;
    unknown_count: number;
    unknown_lines: number[];
    foreign_count: number;
    foreign_lines: number[];
  }>(
    await tx.execute(sql`
      with checked as materialized (
        select s.*, c.id is null as unknown_customer,
               c.id is not null and s.delivery_id is not null and d.id is null as foreign_delivery
          from staged_events s
          left join customers c on c.id = s.customer_id
          left join deliveries d on d.id = s.delivery_id and d.customer_id = s.customer_id
      ),
      stored as (
        insert into events (id, customer_id, type, occurred_at, received_at, properties, source,
                            delivery_id, next_routing_at, audience_only)
        select k.id, k.customer_id, k.type, coalesce(k.occurred_at, ${at}::timestamptz),
               ${at}::timestamptz, k.properties, ${options.source}::text, k.delivery_id,
               ${at}::timestamptz, ${options.audienceOnly}::boolean
          from checked k
         where not k.unknown_customer and not k.foreign_delivery
         -- the first copy of an id repeated in the file is the one stored, and seq follows the file
         order by k.line
        on conflict (id) do nothing
        returning 1
      )
      select (select count(*) from stored)::int as stored,
             (select count(*) from checked where not unknown_customer and not foreign_delivery)::int
               as accepted,
             (select count(*) from checked where unknown_customer)::int as unknown_count,
             (select coalesce(json_agg(line order by line), '[]'::json) from (
                select line from checked where unknown_customer order by line
                 limit ${options.linesShown}) u) as unknown_lines,
             (select count(*) from checked where foreign_delivery)::int as foreign_count,
             (select coalesce(json_agg(line order by line), '[]'::json) from (
                select line from checked where foreign_delivery order by line
                 limit ${options.linesShown}) f) as foreign_lines`),
  );
  return {
    stored: row?.stored ?? 0,
    accepted: row?.accepted ?? 0,
    unknownCustomerLines: parsedJson(row?.unknown_lines),
    unknownCustomerCount: row?.unknown_count ?? 0,
    foreignDeliveryLines: parsedJson(row?.foreign_lines),
    foreignDeliveryCount: row?.foreign_count ?? 0,
  };
}

/** A json column comes back parsed by postgres.js, as text from PGlite. */
function parsedJson(value: unknown): number[] {
  if (typeof value === 'string') return JSON.parse(value) as number[];
  return (value as number[] | undefined) ?? [];
}
