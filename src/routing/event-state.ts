import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { events, journeyRuns } from '../db/schema';

/** A stored event's place in the outbox, for callers that need to know it was routed. */
export interface EventRoutingState {
  id: string;
  type: string;
  customerId: string;
  receivedAt: Date;
  routed: boolean;
  routedAt: Date | null;
  routingAttempts: number;
  /** The last routing failure (a Temporal or database error description; never event data). */
  routingError: string | null;
  /** Workflow ids of the journey runs this event started (as their trigger). */
  runsStarted: string[];
}

/** How often a waiting caller reads the row again: cheap (one indexed read) and well under a send. */
const POLL_MS = 40;

/** The event's routing state in one statement; null for an id never stored. */
export async function readEventRoutingState(
  db: Database,
  id: string,
): Promise<EventRoutingState | null> {
  // By customer too: journey_runs is indexed by customer, not by trigger event. Only runs Temporal
  // took: a start that was registered but not answered yet (Temporal down) is not started.
  const runs = sql<string[]>`coalesce((
    select json_agg(${journeyRuns.workflowId} order by ${journeyRuns.startedAt}, ${journeyRuns.workflowId})
      from ${journeyRuns}
     where ${and(
       eq(journeyRuns.customerId, events.customerId),
       eq(journeyRuns.triggerEventId, events.id),
       isNotNull(journeyRuns.temporalRunId),
     )}
  ), '[]'::json)`;
  const [row] = await db
    .select({
      id: events.id,
      type: events.type,
      customerId: events.customerId,
      receivedAt: events.receivedAt,
      routedAt: events.routedAt,
      routingAttempts: events.routingAttempts,
      routingError: events.routingError,
      runsStarted: runs,
    })
    .from(events)
    .where(eq(events.id, id))
    .limit(1);
  if (!row) return null;
  // postgres.js parses json; a driver that does not hands back its text.
  const raw: unknown = row.runsStarted;
  const runsStarted = (typeof raw === 'string' ? JSON.parse(raw) : raw) as string[];
  return { ...row, routed: row.routedAt !== null, runsStarted };
}

/**
 * The event's routing state once it is routed, or when `waitMs` has passed (whichever is first),
 * reading the row every POLL_MS meanwhile. null for an unknown id (answered at once).
 */
export async function awaitEventRouting(
  db: Database,
  id: string,
  waitMs: number,
): Promise<EventRoutingState | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const state = await readEventRoutingState(db, id);
    const left = deadline - Date.now();
    if (!state || state.routed || left <= 0) return state;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
  }
}
