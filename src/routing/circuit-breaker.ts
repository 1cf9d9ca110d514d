import { nextRoutingDelay, type BackoffPolicy } from './backoff';
import type { RoutingLogger } from './types';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** Default wait before probing an unreachable Temporal again: 1 s, doubling up to 30 s. */
export const DEFAULT_BREAKER_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

/**
 * The router's view of whether Temporal is reachable. Closed: route. Open: claim nothing, wait
 * until `probeAt`. Half-open: one probe call decides; success closes, failure opens again with
 * a longer wait. Logs once when an outage begins and once when it ends, with no event or
 * customer data.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private opens = 0;
  private probeTime = 0;

  constructor(
    private readonly backoff: BackoffPolicy = DEFAULT_BREAKER_BACKOFF,
    private readonly logger?: RoutingLogger,
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** When an open breaker may be probed (ms since the epoch). */
  get probeAt(): number {
    return this.probeTime;
  }

  isClosed(): boolean {
    return this.current === 'closed';
  }

  /** Temporal did not answer: open (or stay open), probe after a backoff. */
  recordUnavailable(): void {
    if (this.current === 'open') return;
    const wasClosed = this.current === 'closed';
    this.opens += 1;
    const waitMs = nextRoutingDelay(this.opens, this.backoff);
    this.probeTime = Date.now() + waitMs;
    this.current = 'open';
    // A failed probe (half-open → open) is the same outage going on: logged once, at its start.
    if (wasClosed)
      this.logger?.warn({ probeInMs: waitMs }, 'temporal unreachable: event routing paused');
  }

  /** The open breaker's wait is over: the next call is the probe. */
  halfOpen(): void {
    if (this.current === 'open') this.current = 'half_open';
  }

  /** Temporal answered. */
  recordSuccess(): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.opens = 0;
    this.logger?.info({}, 'temporal reachable again: event routing resumed');
  }
}
