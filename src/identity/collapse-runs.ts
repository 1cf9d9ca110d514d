import { cancelRunsById, type CancelledRun } from '../routing/cancel-runs';
import { runningRunsOf } from '../routing/customer-merge';
import type { RoutingDeps } from '../routing/types';

/** The reason a duplicate run is cancelled with after a merge. */
export const MERGED_DUPLICATE = 'merged_duplicate';

/**
 * After a merge the survivor may be in one journey twice: its own run and the merged-away
 * customer's, now both registered as the survivor's. The earlier entry goes on; the later one is
 * cancelled through the runs API's own path, with the reason `merged_duplicate`. Keyed runs
 * (one per cart) are duplicates only with the same key. Answers the runs cancelled.
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
