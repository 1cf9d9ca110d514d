import type { Database } from '../db/database';
import type { RoutingLogger } from './types';
import { renewClaim } from './outbox-claims';

/**
 * How long a claimed event is hidden from other routers. The one lease constant: a pass renews
 * it every third of it for the events it still holds, so it never runs out under a slow batch;
 * it only matters when a router dies mid-pass (its events come back after this long).
 */
export const ROUTING_LEASE_MS = 60_000;

export interface LeaseKeeper {
  /** Stops renewing; resolves once a renewal in flight has finished. */
  stop(): Promise<void>;
}

/**
 * Keeps a pass's lease alive: every leaseMs / 3, first `beforeRenew` (the pass flushes its
 * routed marks there, so they cost no extra timer), then one UPDATE pushing next_routing_at
 * out for every event the claim still holds. Ticks never overlap.
 */
export function keepLease(
  db: Database,
  claim: string,
  leaseMs: number,
  options: { beforeRenew?: () => Promise<void>; logger?: RoutingLogger } = {},
): LeaseKeeper {
  let inFlight: Promise<void> | null = null;
  const tick = async () => {
    try {
      await options.beforeRenew?.();
      await renewClaim(db, claim, leaseMs);
    } catch (error) {
      options.logger?.warn(
        { error: error instanceof Error ? error.name : 'unknown' },
        'event lease renewal failed',
      );
    }
  };
  const timer = setInterval(
    () => {
      if (inFlight) return;
      inFlight = tick().finally(() => {
        inFlight = null;
      });
    },
    Math.max(Math.floor(leaseMs / 3), 1),
  );
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
