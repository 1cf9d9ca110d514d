import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { describeFailure } from '../db/safe-error';
import { markRouted } from './outbox-claims';
import type { AudienceEvent, AudienceUpkeep, RoutingLogger } from './types';

/**
 * Imported history (events.audience_only, POST /v1/imports/events without trigger) leaves the
 * outbox here, not through the claim of live events: it is claimed in arrival order by an index
 * of its own, in larger batches, only when live events leave a pass room, and it is given the
 * audience upkeep (profile rules, scores, segments, stages: all idempotent by event id) and
 * marked routed, never routed to a journey. So a million imported events never stand before a
 * live one, nor hold back a customer's live events, and need no Temporal at all. A batch whose
 * upkeep fails stays leased and is claimed again when its lease runs out.
 */

export interface HistoryOptions {
  db: Database;
  audience?: AudienceUpkeep;
  claim: string;
  batchSize: number;
  leaseMs: number;
  logger?: RoutingLogger;
}

/** One batch of history through the audience upkeep; returns how many events it took. */
export async function upkeepHistory(options: HistoryOptions): Promise<number> {
  const batch = await claimHistory(options);
  if (batch.length === 0) return 0;
  try {
    await options.audience?.forEvents(batch);
  } catch (error) {
    options.logger?.error(
      { events: batch.length, error: describeFailure(error) },
      'audience upkeep of imported history failed; it is claimed again after its lease',
    );
    return 0;
  }
  await markRouted(
    options.db,
    options.claim,
    batch.map((event) => event.id),
  );
  return batch.length;
}

async function claimHistory(options: HistoryOptions): Promise<AudienceEvent[]> {
  const now = new Date();
  const rows = rowsOf<{
    id: string;
    customer_id: string;
    type: string;
    occurred_at: Date | string;
    properties: unknown;
  }>(
    await options.db.execute(sql`
      update events e
         set routing_claim = ${options.claim}::uuid,
             next_routing_at = ${new Date(now.getTime() + options.leaseMs).toISOString()}::timestamptz
        from (select id from events
               where routed_at is null and audience_only
                 and next_routing_at <= ${now.toISOString()}::timestamptz
               order by seq limit ${options.batchSize}
               for update skip locked) due
       where e.id = due.id
      returning e.id, e.customer_id, e.type, e.occurred_at, e.properties`),
  );
  return rows.map((row) => ({
    id: row.id,
    customerId: row.customer_id,
    type: row.type,
    occurredAt: new Date(row.occurred_at),
    history: true,
    properties:
      typeof row.properties === 'string' ? (JSON.parse(row.properties) as unknown) : row.properties,
  }));
}

export interface HistoryUpkeep {
  /** Finishes the batch in progress, then stops. */
  stop(): Promise<void>;
}

/**
 * The router's loop for imported history, beside (not inside) its passes over live events, so a
 * backlog of history adds nothing to a live event's wait: a batch, at once another while batches
 * come full, else a pause of `pollMs`; a notify (an import stored history) starts one at once.
 */
export function startHistoryUpkeep(
  options: Omit<HistoryOptions, 'claim'> & {
    pollMs: number;
    signal?: { subscribe(listener: () => void): () => void };
  },
): HistoryUpkeep {
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const run = (): void => {
    if (stopped || running) return;
    if (timer) clearTimeout(timer);
    timer = null;
    running = (async () => {
      let taken = 0;
      try {
        taken = await upkeepHistory({ ...options, claim: randomUUID() });
      } catch (error) {
        options.logger?.error({ error: describeFailure(error) }, 'imported history pass failed');
      }
      running = null;
      if (!stopped) timer = setTimeout(run, taken >= options.batchSize ? 0 : options.pollMs);
    })();
  };
  const unsubscribe = options.signal?.subscribe(run);
  timer = setTimeout(run, 0);
  return {
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
