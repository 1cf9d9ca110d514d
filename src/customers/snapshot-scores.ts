import { sql } from 'drizzle-orm';
import type { ProfileSnapshot } from '../journeys/run-types';
import {
  qualityScore,
  SCORE_EVENT_SOURCE,
  scoreAt,
  type ScoreCatalogue,
  type StoredScore,
} from '../scores';

/**
 * What a profile statement selects for the scores in the snapshot, per customer row: the stored
 * (version, value, as_of) of each decaying score and of each RFM score (its r + f + m, as of its
 * recompute), and the number of source systems among the customer's latest events (seed S0's
 * source count; bounded so a customer with a long history costs one short index scan, like
 * last_engaged_at).
 */
export const SOURCES_LOOKBACK = 100;

export function storedScoresColumn() {
  return sql<StoredRow[] | null>`(select jsonb_agg(jsonb_build_array(s.score_id, s.version, s.value,
      (extract(epoch from s.as_of) * 1000)::float8))
    from (select score_id, version, value, as_of from customer_scores
           where customer_id = "customers"."id"
          union all
          select score_id, version, value::float8, cell_since from rfm_scores
           where customer_id = "customers"."id") s)`;
}

/**
 * Sources Cairn writes itself (membership, stage and score changes, the opens and clicks it
 * tracked, inbox reads): they say nothing of how many systems feed the profile, so they are not
 * counted.
 */
const CAIRN_SOURCES = ['segments', 'lifecycle', SCORE_EVENT_SOURCE, 'tracking', 'inbox'];

export function sourcesColumn() {
  return sql<number>`(select count(distinct e.source)::int from (select source from events e
      where e.customer_id = "customers"."id"
        and coalesce(e.source <> all(${sql.param(CAIRN_SOURCES)}::text[]), true)
      order by e.occurred_at desc limit ${SOURCES_LOOKBACK}) e)`;
}

/** [score id, version, value, as_of in epoch ms]. */
export type StoredRow = [string, number, number, number];

/**
 * Every score of the catalogue (its active version) as conditions read it at `now` (scores.<id>): a decaying score decayed
 * and capped (0 when it has counted nothing, or only under another version), the data quality
 * from the snapshot without scores, an RFM score as its last recompute stored it (r + f + m) —
 * left out when the customer has no cell, so a condition on it finds it missing and never passes.
 */
export function snapshotScores(
  profile: ProfileSnapshot,
  stored: readonly StoredRow[] | null,
  facts: { updatedAt: Date; sources: number },
  now: number,
  catalogue: ScoreCatalogue,
): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const definition of catalogue.all()) {
    const row = stored?.find(
      ([id, version]) => id === definition.id && version === definition.version,
    );
    if (definition.kind === 'decaying') {
      const state: StoredScore | null = row ? { value: row[2], asOf: row[3] } : null;
      scores[definition.id] = scoreAt(definition, state, now);
    } else if (definition.kind === 'rfm') {
      if (row) scores[definition.id] = row[2];
    } else {
      const quality = { profile, updatedAt: facts.updatedAt.getTime(), sources: facts.sources };
      scores[definition.id] = qualityScore(definition, quality, now);
    }
  }
  return scores;
}
