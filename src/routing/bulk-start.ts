import { activeJourney } from '../catalogue/active-journeys';
import { inBoundedBatch } from './bounded';
import {
  startExplicitRun,
  type ExplicitStart,
  type ExplicitStartOutcome,
  type StartRefusal,
} from './explicit-start';
import type { RoutingDeps } from './types';

/** Starts in flight at once per batch: enough to keep Temporal busy, few enough for the pools. */
export const BULK_START_CONCURRENCY = 32;

export type BulkStartItem = Omit<ExplicitStart, 'journeyId'>;

export type BulkStartOutcome =
  /** The journey itself refuses starts: nothing was tried for any item. */
  | {
      kind: 'refused';
      refusal: Extract<StartRefusal, { reason: 'journey_not_found' | 'journey_not_active' }>;
    }
  | { kind: 'done'; items: ExplicitStartOutcome[] };

/**
 * POST /v1/journeys/:id/runs/batch: each item is the single explicit start (same checks, same
 * outcomes), run concurrently with a bound. The journey is checked once for the batch; an item's
 * refusal (unknown customer, bad key, trigger conditions) concerns that item only. When Temporal
 * does not answer, the items not yet begun are refused temporal_unavailable at once.
 */
export async function startExplicitRuns(
  deps: RoutingDeps,
  journeyId: string,
  items: readonly BulkStartItem[],
  concurrency = BULK_START_CONCURRENCY,
): Promise<BulkStartOutcome> {
  const journey = await activeJourney(deps.db, journeyId);
  if (!journey) return { kind: 'refused', refusal: { reason: 'journey_not_found' } };
  if (journey.status !== 'active')
    return { kind: 'refused', refusal: { reason: 'journey_not_active', status: journey.status } };
  // Items for the same customer and key run one after another, so a repeat in the batch finds
  // the run its first copy started (already_running) instead of racing it.
  const groups = sameRunGroups(items);
  const answered = await inBoundedBatch<number[], ExplicitStartOutcome[]>(
    groups,
    concurrency,
    async (group) => {
      const outcomes: ExplicitStartOutcome[] = [];
      for (const index of group) {
        const previous = outcomes[outcomes.length - 1];
        outcomes.push(
          previous && isUnavailable(previous)
            ? unavailable()
            : await startExplicitRun(deps, { ...(items[index] as BulkStartItem), journeyId }),
        );
      }
      return outcomes;
    },
    {
      halts: (outcomes) => outcomes.some(isUnavailable),
      skipped: (group) => group.map(unavailable),
    },
  );
  const outcomes = new Array<ExplicitStartOutcome>(items.length);
  groups.forEach((group, g) => {
    group.forEach((index, i) => {
      outcomes[index] = (answered[g] as ExplicitStartOutcome[])[i] as ExplicitStartOutcome;
    });
  });
  return { kind: 'done', items: outcomes };
}

/** Item indexes grouped by the run they would start (customer and key), in request order. */
function sameRunGroups(items: readonly BulkStartItem[]): number[][] {
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const run = JSON.stringify([item.customerId, item.key ?? null]);
    groups.set(run, [...(groups.get(run) ?? []), index]);
  });
  return [...groups.values()];
}

function isUnavailable(outcome: ExplicitStartOutcome): boolean {
  return outcome.kind === 'refused' && outcome.refusal.reason === 'temporal_unavailable';
}

function unavailable(): ExplicitStartOutcome {
  return { kind: 'refused', refusal: { reason: 'temporal_unavailable' } };
}
