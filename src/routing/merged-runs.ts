import { cancelRunsById, type CancelledRun } from './cancel-runs';
import { runningRunsOf } from './customer-merge';
import type { RoutingDeps } from './types';

/**
 * The event a merge stores for its survivor (src/identity, in the merge's transaction). Routing
 * it collapses the survivor's duplicate runs, so the collapse is as durable as the outbox: a
 * merge whose caller could not reach Temporal afterwards, or died, is still settled, with the
 * router's retries, and before any later event of the survivor reaches both runs.
 */
export const CUSTOMER_MERGED = 'customer_merged';

/** The reason a duplicate run is cancelled with after a merge. */
export const MERGED_DUPLICATE = 'merged_duplicate';

/** Some duplicate could not be cancelled now (Temporal refused or was away): try again. */
export class DuplicateRunsLeftError extends Error {
  constructor(readonly workflowIds: string[]) {
    super(`${workflowIds.length} run(s) duplicated by a merge could not be cancelled yet`);
    this.name = 'DuplicateRunsLeftError';
  }
}

/**
 * After a merge the survivor may be in one journey twice: its own run and the merged-away
 * customer's, now both registered as the survivor's. The earlier entry goes on; the later one is
 * cancelled through the runs API's own path, with the reason `merged_duplicate`. Keyed runs
 * (one per cart) are duplicates only with the same key. Answers the runs cancelled; safe to
 * repeat (a cancelled run is no longer running, so it is not found again).
 */
export async function collapseDuplicateRuns(
  deps: RoutingDeps,
  customerId: string,
): Promise<CancelledRun[]> {
  const seen = new Set<string>();
  const later: string[] = [];
  for (const run of await runningRunsOf(deps.db, customerId)) {
    const slot = `${run.journeyId}\u0000${run.runKey ?? ''}`;
    if (seen.has(slot)) later.push(run.workflowId);
    else seen.add(slot);
  }
  if (later.length === 0) return [];
  return cancelRunsById(deps, later, MERGED_DUPLICATE);
}

/** collapseDuplicateRuns for the router: throws when a duplicate is left running. */
export async function settleMergedRuns(deps: RoutingDeps, customerId: string): Promise<void> {
  const outcomes = await collapseDuplicateRuns(deps, customerId);
  const left = outcomes.filter((o) => o.outcome === 'temporal_unavailable');
  if (left.length > 0) throw new DuplicateRunsLeftError(left.map((o) => o.workflowId));
}
