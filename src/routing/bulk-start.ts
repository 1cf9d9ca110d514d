import { activeJourney } from '../catalogue/active-journeys';
import { inBoundedBatch } from './bounded-batch';
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
  const outcomes = await inBoundedBatch<BulkStartItem, ExplicitStartOutcome>(
    items,
    concurrency,
    (item) => startExplicitRun(deps, { ...item, journeyId }),
    {
      halts: (outcome) =>
        outcome.kind === 'refused' && outcome.refusal.reason === 'temporal_unavailable',
      skipped: () => ({ kind: 'refused', refusal: { reason: 'temporal_unavailable' } }),
    },
  );
  return { kind: 'done', items: outcomes };
}
