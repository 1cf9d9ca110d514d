import { loadScoreCatalogue } from '../audience/score-catalogue';
import { loadProfileSnapshots } from '../customers';
import type { Database } from '../db/database';
import { eventTypesListenedTo } from '../journeys/listens';
import type { ProfileSnapshot } from '../journeys/run-types';
import { DEFAULT_BACKOFF, nextRoutingDelay, type BackoffPolicy } from './backoff';
import { forEachBounded } from './bounded';
import type { CircuitBreaker } from './circuit-breaker';
import { toJourneyEvent } from './journey-event';
import {
  markRouted,
  recordRoutingFailure,
  releaseClaimed,
  type ClaimedEvent,
} from './outbox-claims';
import { CUSTOMER_MERGED, settleMergedRuns } from './merged-runs';
import { needsProfile, routeWithInterest } from './route-event';
import { findRoutingInterest, type EventInterest } from './routing-interest';
import { describeError, isTemporalUnavailable } from './temporal-call';
import type { RoutingDeps } from './types';

export interface BatchRouting {
  deps: RoutingDeps & { backoff?: BackoffPolicy };
  /** The pass's claim token: every mark is conditional on it. */
  claim: string;
  breaker: CircuitBreaker;
  /** Customers routed at the same time (each customer's events stay in order). */
  concurrency: number;
}

/**
 * Routed marks waiting for their UPDATE: flushed on each lease renewal and at the end of the
 * pass, so a batch costs a few statements, not one per event.
 */
export class RoutedMarks {
  private pending: string[] = [];

  constructor(
    private readonly db: Database,
    private readonly claim: string,
  ) {}

  add(id: string): void {
    this.pending.push(id);
  }

  async flush(): Promise<void> {
    const ids = this.pending;
    this.pending = [];
    await markRouted(this.db, this.claim, ids);
  }
}

/**
 * Routes a claimed batch. One query finds what every event concerns; events that concern no
 * journey are marked routed at once, with no Temporal call. The rest are routed concurrently, one
 * customer's events in arrival order. A failure counts an attempt and backs off (the customer's
 * later events wait with it, so order holds); Temporal unreachable opens the breaker and hands the
 * rest back without counting attempts.
 */
export async function routeClaimedBatch(
  routing: BatchRouting,
  batch: ClaimedEvent[],
  marks: RoutedMarks,
): Promise<void> {
  const { db } = routing.deps;
  const interest = await findRoutingInterest(db, batch);
  addRunsStartedInBatch(batch, interest);
  addMergesToSettle(batch, interest);
  await markRouted(
    db,
    routing.claim,
    batch.filter((e) => !interest.has(e.id)).map((e) => e.id),
  );
  const busy = batch.filter((e) => interest.has(e.id));
  if (busy.length === 0) return;
  const profiles = await profilesFor(db, busy, interest);
  const handedBack: string[] = [];
  await forEachBounded(byCustomer(busy), routing.concurrency, async (group) => {
    const rest = await routeGroup(routing, group, interest, profiles, marks);
    handedBack.push(...rest);
  });
  await releaseClaimed(
    db,
    routing.claim,
    handedBack,
    new Date(Math.max(Date.now(), routing.breaker.probeAt)),
  );
}

/** Routes one customer's events in order; returns those handed back because of the breaker. */
async function routeGroup(
  routing: BatchRouting,
  group: ClaimedEvent[],
  interest: Map<string, EventInterest>,
  profiles: Map<string, ProfileSnapshot>,
  marks: RoutedMarks,
): Promise<string[]> {
  const { deps, claim, breaker } = routing;
  let startedRuns = false;
  for (const [index, row] of group.entries()) {
    if (!breaker.isClosed()) return group.slice(index).map((e) => e.id);
    const found = interest.get(row.id) as EventInterest;
    try {
      // A run this customer's earlier event just started may listen to this one: read afresh.
      const runs = startedRuns
        ? ((await findRoutingInterest(deps.db, [row])).get(row.id)?.runs ?? [])
        : found.runs;
      const profile = profiles.get(row.customerId) ?? null;
      if (row.type === CUSTOMER_MERGED) await settleMergedRuns(deps, row.customerId);
      const summary = await routeWithInterest(
        deps,
        toJourneyEvent(row),
        { ...found, runs },
        profile,
      );
      startedRuns ||= summary.started.length > 0;
      marks.add(row.id);
    } catch (error) {
      if (isTemporalUnavailable(error)) {
        breaker.recordUnavailable();
        return group.slice(index).map((e) => e.id);
      }
      const attempts = row.routingAttempts + 1;
      const retryAt = new Date(
        Date.now() + nextRoutingDelay(attempts, deps.backoff ?? DEFAULT_BACKOFF),
      );
      await recordRoutingFailure(deps.db, claim, {
        id: row.id,
        error: describeError(error),
        retryAt,
      });
      deps.logger?.warn(
        { eventId: row.id, attempts, retryAt: retryAt.toISOString(), error: describeError(error) },
        'event routing failed',
      );
      // The customer's later events wait for this one, so they still reach runs in order.
      const later = group.slice(index + 1).map((e) => e.id);
      await releaseClaimed(deps.db, claim, later, retryAt);
      return [];
    }
  }
  return [];
}

/**
 * The interest was read before any event of the batch was routed, so it misses runs that an
 * earlier event of the same customer starts in this pass (a cart_abandoned, then the purchase
 * that ends its run). Such an event is kept in the pass, with no runs yet: routeGroup reads its
 * runs again once an earlier event has started one.
 */
function addRunsStartedInBatch(batch: ClaimedEvent[], interest: Map<string, EventInterest>): void {
  const listenedByStarts = new Map<string, Set<string>>();
  for (const event of batch) {
    const listened = listenedByStarts.get(event.customerId);
    if (!interest.has(event.id) && listened?.has(event.type))
      interest.set(event.id, { triggers: [], runs: [] });
    const triggers = interest.get(event.id)?.triggers ?? [];
    if (triggers.length === 0) continue;
    const types = listened ?? new Set<string>();
    for (const journey of triggers)
      for (const type of eventTypesListenedTo(journey.definition)) types.add(type);
    listenedByStarts.set(event.customerId, types);
  }
}

/**
 * A merge's event concerns the survivor's runs even when no journey listens to it: routing it
 * cancels the duplicate runs the merge left (merged-runs.ts), and the survivor's later events
 * wait for that.
 */
function addMergesToSettle(batch: ClaimedEvent[], interest: Map<string, EventInterest>): void {
  for (const event of batch) {
    if (event.type === CUSTOMER_MERGED && !interest.has(event.id))
      interest.set(event.id, { triggers: [], runs: [] });
  }
}

async function profilesFor(
  db: Database,
  busy: ClaimedEvent[],
  interest: Map<string, EventInterest>,
): Promise<Map<string, ProfileSnapshot>> {
  const customers = busy
    .filter((e) => needsProfile(interest.get(e.id) as EventInterest))
    .map((e) => e.customerId);
  if (customers.length === 0) return new Map();
  return loadProfileSnapshots(db, customers, await loadScoreCatalogue(db));
}

/** The batch grouped by customer, each group in arrival order, groups by their first event. */
function byCustomer(batch: ClaimedEvent[]): ClaimedEvent[][] {
  const groups = new Map<string, ClaimedEvent[]>();
  for (const event of batch) {
    const group = groups.get(event.customerId);
    if (group) group.push(event);
    else groups.set(event.customerId, [event]);
  }
  return [...groups.values()];
}
