import { randomUUID } from 'node:crypto';
import { describeFailure } from '../db/safe-error';
import type { BackoffPolicy } from './backoff';
import { CircuitBreaker, DEFAULT_BREAKER_BACKOFF, type BreakerState } from './circuit-breaker';
import { startHistoryUpkeep } from './history-claims';
import { claimDueEvents, claimFollowUps, type ClaimedEvent } from './outbox-claims';
import type { OutboxDeps } from './types';
import type { OutboxSignal } from './outbox-signal';
import { routeClaimedBatch, RoutedMarks } from './route-batch';
import { keepLease, ROUTING_LEASE_MS } from './routing-lease';
import { probeTemporal } from './temporal-call';

export interface EventRouterOptions extends OutboxDeps {
  /** Idle wait between passes. Default 1 s. */
  pollIntervalMs?: number;
  /** Events claimed per pass. Default 100. */
  batchSize?: number;
  /** Imported history claimed at a time (history-claims.ts). Default 1,000. */
  historyBatchSize?: number;
  /** How long a claimed event is hidden from other routers; renewed while a pass runs. Default ROUTING_LEASE_MS. */
  leaseMs?: number;
  /** Customers routed at the same time within a pass (one customer's events in order). Default 32. */
  concurrency?: number;
  /** Wait before probing an unreachable Temporal again, doubling. Default 1 s up to 30 s. */
  breakerBackoff?: BackoffPolicy;
  /** Events stored in this process: a notify starts a pass at once instead of at the next poll. */
  signal?: OutboxSignal;
  /** Passes at once: a notify during a pass starts another beside it. Default 2. */
  passes?: number;
}

export interface EventRouter {
  /** Finishes the pass in progress, then stops. */
  stop(): Promise<void>;
  /** False while the circuit breaker holds routing back because Temporal did not answer. */
  temporalAvailable(): boolean;
  /** The breaker's state, for the status endpoint and tests. */
  breakerState(): BreakerState;
}

const DEFAULT_BATCH_SIZE = 100;
// History costs its audience upkeep, mostly per statement: larger batches spread it.
const DEFAULT_HISTORY_BATCH_SIZE = 1_000;
// 32 signalled ~1.5× faster than 16 in bench/router.bench.ts on 2 cores; starts were even.
const DEFAULT_CONCURRENCY = 32;
// A second pass claims what arrives while the first waits on Temporal (bench:membership-latency).
const DEFAULT_PASSES = 2;

/**
 * One pass of the outbox: claims due unrouted events (skip locked, so several routers can run
 * side by side) under a claim token of its own, keeps their lease alive while it routes them,
 * and routes them as a batch (route-batch.ts). Returns how many were claimed. A breaker that is
 * not closed claims nothing.
 */
export async function routePendingEvents(
  options: EventRouterOptions,
  breaker: CircuitBreaker = new CircuitBreaker(options.breakerBackoff, options.logger),
): Promise<number> {
  if (!breaker.isClosed()) return 0;
  const claim = randomUUID();
  const leaseMs = options.leaseMs ?? ROUTING_LEASE_MS;
  const batch = await claimDueEvents(options.db, {
    claim,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    leaseMs,
  });
  if (batch.length === 0) return 0;
  batch.push(...(await withAudienceFollowUps(options, claim, leaseMs, batch)));
  const marks = new RoutedMarks(options.db, claim);
  const lease = keepLease(options.db, claim, leaseMs, {
    beforeRenew: () => marks.flush(),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  try {
    await routeClaimedBatch(
      { deps: options, claim, breaker, concurrency: options.concurrency ?? DEFAULT_CONCURRENCY },
      batch,
      marks,
    );
  } finally {
    await lease.stop();
    await marks.flush();
  }
  return batch.length;
}

/** Rounds of follow-ups (a segment entry that changes a segment built on it, …) in one pass. */
const FOLLOW_UP_ROUNDS = 3;

/**
 * Runs the audience over a claimed batch and claims what it recorded for the same customers
 * (segment_entered, lifecycle_changed, …) into the same pass, so a membership change reaches its
 * runs without waiting for another pass; each round's events get the audience too. Returns the
 * follow-ups, which come after the batch in each customer's order. Changes left unclaimed (too
 * deep, or held back by a customer's event outside this pass) are for the next pass: notified.
 */
async function withAudienceFollowUps(
  options: EventRouterOptions,
  claim: string,
  leaseMs: number,
  batch: ClaimedEvent[],
): Promise<ClaimedEvent[]> {
  const followUps: ClaimedEvent[] = [];
  let round = batch;
  for (let depth = 0; options.audience && round.length > 0; depth += 1) {
    const changed = await options.audience.forEvents(round);
    if (changed === 0) break;
    round =
      depth < FOLLOW_UP_ROUNDS
        ? await claimFollowUps(options.db, {
            claim,
            leaseMs,
            customerIds: [...new Set(round.map((e) => e.customerId))],
            afterSeq: Math.max(...batch.map((e) => e.seq), ...followUps.map((e) => e.seq)),
          })
        : [];
    if (round.length < changed) options.signal?.notify();
    followUps.push(...round);
  }
  return followUps;
}

/**
 * Runs routePendingEvents until stopped, and beside it the upkeep of imported history
 * (history-claims.ts): again at once after a full batch or a notify, else after
 * a pause. A notify during a pass starts a second pass beside it (up to `passes`), which claims
 * what the first does not hold: events arriving while a pass waits on Temporal need not wait for
 * it to end (claims are per customer and in order, as with several routers). More notifies
 * coalesce into one pass after those. While the breaker is open it claims nothing and probes
 * Temporal once its wait is over; only one pass at a time does the audience's upkeep.
 */
export function startEventRouter(options: EventRouterOptions): EventRouter {
  const breaker = new CircuitBreaker(
    options.breakerBackoff ?? DEFAULT_BREAKER_BACKOFF,
    options.logger,
  );
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const pollMs = options.pollIntervalMs ?? 1_000;
  const maxPasses = options.passes ?? DEFAULT_PASSES;
  let stopped = false;
  const running = new Set<Promise<number>>();
  let upkeeping = false;
  let again = false;
  let timer: NodeJS.Timeout | null = null;

  const upkeep = async (): Promise<void> => {
    if (upkeeping || !options.audience) return;
    upkeeping = true;
    try {
      // The audience needs only Postgres: it keeps up while Temporal is away. More may be due.
      if ((await options.audience.upkeep()) > 0) again = true;
    } finally {
      upkeeping = false;
    }
  };

  const pass = async (): Promise<number> => {
    await upkeep();
    if (breaker.state === 'open') {
      if (Date.now() < breaker.probeAt) return 0;
      breaker.halfOpen();
    }
    if (breaker.state === 'half_open') {
      try {
        await probeTemporal(options);
        breaker.recordSuccess();
      } catch {
        breaker.recordUnavailable();
        return 0;
      }
    }
    return routePendingEvents(options, breaker);
  };

  const nextDelay = (claimed: number): number => {
    if (again || (claimed >= batchSize && breaker.isClosed())) return 0;
    if (breaker.state === 'open')
      return Math.max(0, Math.min(pollMs, breaker.probeAt - Date.now()));
    return pollMs;
  };

  const run = (): void => {
    if (stopped) return;
    // A second pass only beside a healthy one: a probing or open breaker is one pass's business.
    if (running.size >= (breaker.isClosed() ? maxPasses : 1)) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = null;
    again = false;
    const current = passLogged();
    running.add(current);
    void current.then((claimed) => {
      running.delete(current);
      if (!stopped) schedule(nextDelay(claimed));
    });
  };
  const passLogged = async (): Promise<number> => {
    try {
      return await pass();
    } catch (error) {
      options.logger?.error({ error: describeFailure(error) }, 'event router pass failed');
      return 0;
    }
  };
  const schedule = (delay: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, delay);
  };

  const unsubscribe = options.signal?.subscribe(run);
  schedule(0);
  // Imported history needs only Postgres: it goes on while Temporal is away.
  const history = startHistoryUpkeep({
    db: options.db,
    ...(options.audience ? { audience: options.audience } : {}),
    batchSize: options.historyBatchSize ?? DEFAULT_HISTORY_BATCH_SIZE,
    leaseMs: options.leaseMs ?? ROUTING_LEASE_MS,
    pollMs,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      await Promise.all([...running]);
      await history.stop();
    },
    temporalAvailable: () => breaker.isClosed(),
    breakerState: () => breaker.state,
  };
}
