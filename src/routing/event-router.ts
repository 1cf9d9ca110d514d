import { and, asc, inArray, isNull, lte } from 'drizzle-orm';
import { events } from '../db/schema';
import { DEFAULT_BACKOFF, nextRoutingDelay } from './backoff';
import { releaseEvents, routeStoredEvent, type OutboxDeps } from './outbox';
import { toJourneyEvent } from './journey-event';
import type { OutboxSignal } from './outbox-signal';

export interface EventRouterOptions extends OutboxDeps {
  /** Idle wait between passes. Default 1 s. */
  pollIntervalMs?: number;
  /** Events claimed per pass. Default 50. */
  batchSize?: number;
  /** How long a claimed event is hidden from other routers. Default 60 s. */
  leaseMs?: number;
  /** Wakes the router when events are stored in this process (else it waits for its poll). */
  signal?: OutboxSignal;
}

export interface EventRouter {
  /** Finishes the pass in progress, then stops. */
  stop(): Promise<void>;
}

/**
 * One pass of the outbox: claims due unrouted events (skip locked, so several API processes can
 * run routers side by side) by pushing their next_routing_at out by a lease, then routes them in
 * the order received. Returns how many were claimed.
 */
export async function routePendingEvents(options: EventRouterOptions): Promise<number> {
  const claimed = await claimDueEvents(options);
  for (const [index, row] of claimed.entries()) {
    if (await routeStoredEvent(options, toJourneyEvent(row))) continue;
    // Temporal is most likely down: the rest would wait for the same deadline. Try them later.
    const delay = nextRoutingDelay(1, options.backoff ?? DEFAULT_BACKOFF);
    await releaseEvents(
      options.db,
      claimed.slice(index + 1).map((r) => r.id),
      new Date(Date.now() + delay),
    );
    break;
  }
  return claimed.length;
}

async function claimDueEvents(options: EventRouterOptions) {
  const now = new Date();
  const due = options.db
    .select({ id: events.id })
    .from(events)
    .where(and(isNull(events.routedAt), lte(events.nextRoutingAt, now)))
    .orderBy(asc(events.receivedAt))
    .limit(options.batchSize ?? 50)
    .for('update', { skipLocked: true });
  const rows = await options.db
    .update(events)
    .set({ nextRoutingAt: new Date(now.getTime() + (options.leaseMs ?? 60_000)) })
    .where(inArray(events.id, due))
    .returning();
  return rows.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
}

/** Runs routePendingEvents until stopped: at once again after a full batch, else after a pause. */
export function startEventRouter(options: EventRouterOptions): EventRouter {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> = Promise.resolve();
  let woken = false;
  const batchSize = options.batchSize ?? 50;

  const pass = async (): Promise<void> => {
    let claimed = 0;
    try {
      claimed = await routePendingEvents(options);
    } catch (error) {
      options.logger?.error(
        { error: error instanceof Error ? error.message : 'unknown' },
        'event router pass failed',
      );
    }
    const again = claimed >= batchSize || woken;
    woken = false;
    if (!stopped) schedule(again ? 0 : (options.pollIntervalMs ?? 1_000));
  };
  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      timer = null;
      current = pass();
    }, delay);
  };
  schedule(0);
  // Woken while idle: pass at once; during a pass: another one right after it.
  const unsubscribe = options.signal?.subscribe(() => {
    if (stopped) return;
    if (timer === null) woken = true;
    else {
      clearTimeout(timer);
      schedule(0);
    }
  });
  return {
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
