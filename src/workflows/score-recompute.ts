import { proxyActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';

export interface ScoreRecomputeInput {
  /** A score recomputed on a schedule (an RFM score): ids only, never customer data. */
  scoreId: string;
}

// One statement over every customer's purchases: minutes at most, even on a large table. Postgres
// being away is retried until it is back; an unknown score fails at once (non-retryable).
const { recomputeScore } = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * What a score's Temporal Schedule starts (src/runtime/score-schedule.ts): one activity that
 * recomputes the score for every customer in Postgres. The workflow only carries the score id
 * and the counts the recompute answers; the schedule's overlap policy (skip) keeps two from
 * running at once.
 */
export async function scoreRecomputeWorkflow(input: ScoreRecomputeInput) {
  return recomputeScore(input);
}
