import {
  and,
  asc,
  eq,
  gt,
  inArray,
  isNull,
  lt,
  lte,
  notExists,
  notInArray,
  sql,
  type SQL,
} from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database } from '../db/database';
import { events } from '../db/schema';

/** A claimed event row: what routing needs, and the attempts so far for the backoff. */
export type ClaimedEvent = Pick<
  typeof events.$inferSelect,
  | 'id'
  | 'customerId'
  | 'type'
  | 'occurredAt'
  | 'properties'
  | 'deliveryId'
  | 'routingAttempts'
  | 'seq'
>;

/**
 * The outbox statements of one router pass, all keyed by the pass's claim token: a pass only
 * renews, marks or releases events it still holds, so an event whose lease was taken over by
 * another router is never marked by both.
 */

/**
 * Failed attempts after which an event no longer holds back its customer's later events. Outages
 * of Temporal cost no attempt (the breaker hands events back), so attempts count failures of the
 * event itself (its data, a journey that cannot start): after this many (about four minutes of
 * backoff) order gives way, and the event keeps retrying on its own.
 */
export const ORDER_HOLD_ATTEMPTS = 8;

/**
 * Claims due unrouted events (skip locked) for `leaseMs`, in arrival order. An event is left
 * alone while an earlier unrouted event of the same customer is outside this claim (held by
 * another router, backing off, or locked by a concurrent claim), so one customer's events are
 * routed in order even with several routers; a customer's events inside one claim are routed in
 * order by the pass. An earlier event that failed ORDER_HOLD_ATTEMPTS times holds nothing back.
 */
export async function claimDueEvents(
  db: Database,
  options: { claim: string; batchSize: number; leaseMs: number },
): Promise<ClaimedEvent[]> {
  const now = new Date();
  // Imported history waits in an outbox of its own (history-claims.ts): never before these.
  // Written as the partial indexes' predicate (no parameter), so every plan can use them.
  const due = and(
    isNull(events.routedAt),
    sql`not ${events.audienceOnly}`,
    lte(events.nextRoutingAt, now),
  );
  const candidates = lockedCandidates(db, due, options.batchSize);
  return claimInOrder(db, candidates, options.claim, now, options.leaseMs);
}

/**
 * Claims, into a pass that holds `customerIds`' events, what they stored after `afterSeq` and
 * is due (the segment_entered, lifecycle_changed, … the audience recorded for the pass's batch),
 * so those reach runs in the same pass. The order rule is claimDueEvents', except that events
 * the pass itself holds do not hold anything back: they are routed first, in this pass.
 */
export async function claimFollowUps(
  db: Database,
  options: { claim: string; customerIds: string[]; afterSeq: number; leaseMs: number },
): Promise<ClaimedEvent[]> {
  if (options.customerIds.length === 0) return [];
  const now = new Date();
  const recorded = and(
    inArray(events.customerId, options.customerIds),
    isNull(events.routedAt),
    sql`not ${events.audienceOnly}`,
    isNull(events.routingClaim),
    gt(events.seq, options.afterSeq),
    lte(events.nextRoutingAt, now),
  );
  const candidates = lockedCandidates(db, recorded, FOLLOW_UP_LIMIT);
  return claimInOrder(db, candidates, options.claim, now, options.leaseMs);
}

/** Follow-ups claimed at most into one pass; the rest wait for the next. */
const FOLLOW_UP_LIMIT = 1_000;

/** Due events matching `where`, oldest first, locked (skip locked) for the claim's update. */
function lockedCandidates(db: Database, where: SQL | undefined, limit: number) {
  return db
    .$with('candidates')
    .as(
      db
        .select({ id: events.id, customerId: events.customerId, seq: events.seq })
        .from(events)
        .where(where)
        .orderBy(asc(events.seq))
        .limit(limit)
        .for('update', { skipLocked: true }),
    );
}
type Candidates = ReturnType<typeof lockedCandidates>;

/**
 * Takes the candidates no earlier unrouted event of the same customer holds back (one outside
 * the candidates and this claim, that has not failed ORDER_HOLD_ATTEMPTS times), and claims them.
 */
async function claimInOrder(
  db: Database,
  candidates: Candidates,
  claim: string,
  now: Date,
  leaseMs: number,
): Promise<ClaimedEvent[]> {
  const earlier = alias(events, 'earlier');
  const inOrder = db
    .select({ id: candidates.id })
    .from(candidates)
    .where(
      notExists(
        db
          .select({ one: sql`1` })
          .from(earlier)
          .where(
            and(
              eq(earlier.customerId, candidates.customerId),
              isNull(earlier.routedAt),
              sql`not ${earlier.audienceOnly}`,
              lt(earlier.seq, candidates.seq),
              lt(earlier.routingAttempts, ORDER_HOLD_ATTEMPTS),
              notInArray(earlier.id, db.select({ id: candidates.id }).from(candidates)),
              sql`${earlier.routingClaim} is distinct from ${claim}`,
            ),
          ),
      ),
    );
  const rows = await db
    .with(candidates)
    .update(events)
    .set({ nextRoutingAt: new Date(now.getTime() + leaseMs), routingClaim: claim })
    .where(inArray(events.id, inOrder))
    .returning({
      id: events.id,
      customerId: events.customerId,
      type: events.type,
      occurredAt: events.occurredAt,
      properties: events.properties,
      deliveryId: events.deliveryId,
      routingAttempts: events.routingAttempts,
      seq: events.seq,
    });
  return rows.sort((a, b) => a.seq - b.seq);
}

/** Pushes the lease out again for every event the claim still holds. */
export async function renewClaim(db: Database, claim: string, leaseMs: number): Promise<void> {
  await db
    .update(events)
    .set({ nextRoutingAt: new Date(Date.now() + leaseMs) })
    .where(and(eq(events.routingClaim, claim), isNull(events.routedAt)));
}

/** Marks events routed, in one statement. */
export async function markRouted(db: Database, claim: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(events)
    .set({
      routedAt: new Date(),
      routingError: null,
      routingAttempts: sql`${events.routingAttempts} + 1`,
      routingClaim: null,
    })
    .where(and(inArray(events.id, ids), eq(events.routingClaim, claim), isNull(events.routedAt)));
}

/** Records a failed attempt: one more attempt, the error, and when to try again. */
export async function recordRoutingFailure(
  db: Database,
  claim: string,
  failure: { id: string; error: string; retryAt: Date },
): Promise<void> {
  await db
    .update(events)
    .set({
      routingAttempts: sql`${events.routingAttempts} + 1`,
      routingError: failure.error,
      nextRoutingAt: failure.retryAt,
      routingClaim: null,
    })
    .where(and(eq(events.id, failure.id), eq(events.routingClaim, claim), isNull(events.routedAt)));
}

/** Hands claimed events back, due at `at`, without counting an attempt. */
export async function releaseClaimed(
  db: Database,
  claim: string,
  ids: string[],
  at: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(events)
    .set({ nextRoutingAt: at, routingClaim: null })
    .where(and(inArray(events.id, ids), eq(events.routingClaim, claim), isNull(events.routedAt)));
}
