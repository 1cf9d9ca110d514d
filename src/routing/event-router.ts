import { randomUUID } from 'node:crypto';
import { describeFailure } from '../db/safe-error';
import type { BackoffPolicy } from './backoff';
import { CircuitBreaker, DEFAULT_BREAKER_BACKOFF, type BreakerState } from './circuit-breaker';
import { startHistoryUpkeep } from './history-claims';
import { claimDueEvents } from './outbox-claims';
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
  // Audience events this batch causes (segment_entered, ...) are in the outbox before its own
  // events reach their runs; the notify has the next pass route them right after this one.
  const changed = (await options.audience?.forEvents(batch)) ?? 0;
  if (changed > 0) options.signal?.notify();
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

/**
 * Runs routePendingEvents until stopped, and beside it the upkeep of imported history
 * (history-claims.ts): again at once after a full batch or a notify (a notify
 * during a pass coalesces into one more pass right after it), else after a pause. While the
 * breaker is open it claims nothing and probes Temporal once its wait is over.
 */
export function startEventRouter(options: EventRouterOptions): EventRouter {
  const breaker = new CircuitBreaker(
    options.breakerBackoff ?? DEFAULT_BREAKER_BACKOFF,
    options.logger,
  );
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const pollMs = options.pollIntervalMs ?? 1_000;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;

  const pass = async (): Promise<number> => {
    // The audience needs only Postgres: it keeps up while Temporal is away. More may be due.
    if (((await options.audience?.upkeep()) ?? 0) > 0) again = true;
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
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = null;
    again = false;
    running = (async () => {
      let claimed = 0;
      try {
        claimed = await pass();
      } catch (error) {
        options.logger?.error({ error: describeFailure(error) }, 'event router pass failed');
      }
      running = null;
      if (!stopped) schedule(nextDelay(claimed));
    })();
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
      await running;
      await history.stop();
    },
    temporalAvailable: () => breaker.isClosed(),
    breakerState: () => breaker.state,
  };
}
