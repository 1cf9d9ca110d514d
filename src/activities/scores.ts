import { ApplicationFailure } from '@temporalio/common';
import { recomputeRfm, type RfmRecomputeOutcome } from '../audience/rfm-recompute';
import type { Database } from '../db/database';
import { loadScoreCatalogue } from '../audience/score-catalogue';

/** Recomputes a score that lives on a schedule (an RFM score) for every customer. */
export function createScoreActivities(db: Database, clock: () => Date) {
  return {
    recomputeScore: async (input: { scoreId: string }): Promise<RfmRecomputeOutcome> => {
      // The active version: a version published since the schedule was made is recomputed.
      const definition = (await loadScoreCatalogue(db)).find(input.scoreId);
      if (definition?.kind !== 'rfm') {
        // A schedule left behind by a deploy that dropped the score: retrying changes nothing.
        throw ApplicationFailure.nonRetryable('no recomputed score with this id', 'UnknownScore');
      }
      return recomputeRfm(db, definition, clock());
    },
  };
}
