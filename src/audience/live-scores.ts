import type { Database } from '../db/database';
import { describeFailure } from '../db/safe-error';
import type { JsonObject } from '../journeys/run-types';
import type { AudienceEvent, AudienceUpkeep } from '../routing/types';
import { pointsOf, type DecayingScore } from '../scores';
import { backfillNextPage } from './score-backfill';
import { countContributions, type Counted } from './score-contributions';
import { loadScoreCatalogue } from './score-catalogue';

export interface LiveScoresOptions {
  db: Database;
  clock?: () => Date;
  /**
   * The decaying scores to keep; left out, the catalogue's (active versions and those being
   * backfilled), read for every batch.
   */
  scores?: readonly DecayingScore[];
  /** Customers per page when a new version is backfilled from event history. Default 2,000. */
  backfillPage?: number;
  logger?: { error(obj: object, msg?: string): void };
}

/**
 * Keeps decaying scores live, as a part of the router's audience pass (audience-upkeep.ts, before
 * segment membership, which may read scores). The points of each event are decided here by the
 * pure definition (src/scores); a batch with nothing any score weighs costs no statement, and
 * anything else is one statement for the whole batch (countContributions). Time passing needs no
 * work at all: the value decays when read. Between batches, a page of a new version's backfill
 * from event history (score-backfill.ts).
 *
 * The catalogue is read after the batch was claimed, so a version published before an event was
 * stored is counted for it here, and one published after finds it in the history it backfills.
 */
export function liveScores(options: LiveScoresOptions): AudienceUpkeep {
  const clock = options.clock ?? (() => new Date());
  const given = options.scores;
  return {
    async forEvents(batch: readonly AudienceEvent[]): Promise<number> {
      const scores = given ?? (await loadScoreCatalogue(options.db)).counted();
      const counted: Counted[] = [];
      for (const score of scores) {
        for (const event of batch) {
          if (!(event.type in score.weights)) continue;
          const properties = isObject(event.properties) ? event.properties : {};
          // Flags are read by the statement (machine opens and bots count nothing there).
          const points = pointsOf(score, { type: event.type, properties });
          if (points > 0) counted.push(countedOf(score, event, points));
        }
      }
      if (counted.length > 0) await countContributions(options.db, counted, clock());
      // Scores store no events of their own: nothing more for the router to route.
      return 0;
    },
    upkeep: () =>
      backfillNextPage(options.db, {
        now: clock(),
        ...(options.backfillPage !== undefined ? { size: options.backfillPage } : {}),
      }).catch((error: unknown) => {
        // Never holds routing back: the page is taken again on a later pass.
        options.logger?.error({ error: describeFailure(error) }, 'score backfill failed');
        return 0;
      }),
  };
}

function countedOf(score: DecayingScore, event: AudienceEvent, points: number): Counted {
  return {
    scoreId: score.id,
    version: score.version,
    decayPerDay: score.decayPerDay,
    eventId: event.id,
    customerId: event.customerId,
    type: event.type,
    points,
    occurredAt: event.occurredAt,
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
