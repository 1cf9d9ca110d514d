import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { events } from '../db/schema';
import type { JourneyEvent } from '../journeys/run-types';
import { DEFAULT_BACKOFF, nextRoutingDelay, type BackoffPolicy } from './backoff';
import { routeEvent } from './route-event';
import { describeError } from './temporal-call';
import type { RoutingDeps } from './types';

export interface OutboxDeps extends RoutingDeps {
  backoff?: BackoffPolicy;
}

/**
 * Routes one stored event and records the outcome in its outbox columns: routed_at on success;
 * on failure the error, one more attempt and the next time to try (exponential backoff).
 * Returns whether it was routed; never throws for a routing failure.
 */
export async function routeStoredEvent(deps: OutboxDeps, event: JourneyEvent): Promise<boolean> {
  try {
    await routeEvent(deps, event);
  } catch (error) {
    await recordFailure(deps, event.id, error);
    return false;
  }
  await deps.db
    .update(events)
    .set({
      routedAt: new Date(),
      routingError: null,
      routingAttempts: sql`${events.routingAttempts} + 1`,
    })
    .where(and(eq(events.id, event.id), isNull(events.routedAt)));
  return true;
}

async function recordFailure(deps: OutboxDeps, eventId: string, error: unknown): Promise<void> {
  const rows = await deps.db
    .update(events)
    .set({
      routingAttempts: sql`${events.routingAttempts} + 1`,
      routingError: describeError(error),
    })
    .where(eq(events.id, eventId))
    .returning({ attempts: events.routingAttempts });
  const attempts = rows[0]?.attempts ?? 1;
  const delay = nextRoutingDelay(attempts, deps.backoff ?? DEFAULT_BACKOFF);
  await deps.db
    .update(events)
    .set({ nextRoutingAt: new Date(Date.now() + delay) })
    .where(eq(events.id, eventId));
  deps.logger?.warn(
    { eventId, attempts, retryInMs: delay, error: describeError(error) },
    'event routing failed',
  );
}

/** Hands events back to the background router at once, without counting an attempt. */
export async function releaseEvents(
  db: Database,
  ids: string[],
  at: Date = new Date(),
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(events)
    .set({ nextRoutingAt: at })
    .where(and(inArray(events.id, ids), isNull(events.routedAt)));
}

/**
 * Routes freshly stored events in order. After the first failure (usually Temporal unreachable)
 * the rest are not tried inline — each would wait for the same deadline — but released to the
 * background router, scheduled like the failed one.
 */
export async function routeInline(
  deps: OutboxDeps,
  batch: JourneyEvent[],
): Promise<Map<string, boolean>> {
  const routed = new Map<string, boolean>();
  for (const [index, event] of batch.entries()) {
    const ok = await routeStoredEvent(deps, event);
    routed.set(event.id, ok);
    if (!ok) {
      const rest = batch.slice(index + 1);
      rest.forEach((e) => routed.set(e.id, false));
      const delay = nextRoutingDelay(1, deps.backoff ?? DEFAULT_BACKOFF);
      await releaseEvents(
        deps.db,
        rest.map((e) => e.id),
        new Date(Date.now() + delay),
      );
      break;
    }
  }
  return routed;
}
