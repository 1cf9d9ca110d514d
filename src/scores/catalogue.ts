import { builtInScores } from './library';
import type { DecayingScore, RfmScore, ScoreDefinition } from './schema';

/**
 * The scores as one deployment has them: the active version of every stored score (built-ins and
 * those users published, src/audience/score-catalogue.ts loads it from Postgres), and the
 * decaying versions published but still being backfilled from event history. Readers (segments,
 * the profile, journeys' scores.<id>) read the active versions only, so a new version is seen
 * once it holds the history; the router counts new events for both, so nothing is missed in
 * between. A value handed to the pure modules rather than a global: every reader sees the
 * catalogue its caller loaded, and tests build their own.
 */
export class ScoreCatalogue {
  private constructor(
    private readonly active: readonly ScoreDefinition[],
    private readonly backfilling: readonly DecayingScore[],
  ) {}

  static of(
    active: readonly ScoreDefinition[],
    backfilling: readonly DecayingScore[] = [],
  ): ScoreCatalogue {
    return new ScoreCatalogue(active, backfilling);
  }

  /** The active version of a score, or undefined for a score that does not exist (yet). */
  find(id: string): ScoreDefinition | undefined {
    return this.active.find((definition) => definition.id === id);
  }

  /** Every active version, in id order. */
  all(): readonly ScoreDefinition[] {
    return this.active;
  }

  decaying(): DecayingScore[] {
    return this.active.filter((d): d is DecayingScore => d.kind === 'decaying');
  }

  rfm(): RfmScore[] {
    return this.active.filter((d): d is RfmScore => d.kind === 'rfm');
  }

  /** The versions the router counts each event for: the active ones and those backfilling. */
  counted(): DecayingScore[] {
    return [...this.decaying(), ...this.backfilling];
  }

  /** Scores the segment `score` condition reads: stored per customer (decaying and RFM). */
  readableBySegments(): ScoreDefinition[] {
    return this.active.filter((d) => d.kind === 'decaying' || d.kind === 'rfm');
  }
}

/** The built-ins alone, as a database they were installed into has them: for pure tests. */
export const builtInCatalogue = ScoreCatalogue.of(builtInScores);
