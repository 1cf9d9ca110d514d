import { sql, type SQL } from 'drizzle-orm';
import { customers } from '../db/schema';
import { DAY_MS, type DecayingScore, type ScoreCatalogue } from '../scores';
import type { ConditionBody } from '../segments/condition-body';

const OPERATORS = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * A decaying score of the customer as scoreAt (src/scores/decay.ts) reads it at `now`: the
 * stored sum of the definition's version decayed from as_of (never grown: now before as_of reads
 * the stored sum), capped, 0 when nothing is stored. Float8 throughout, as JavaScript computes it.
 */
export function scoreValueSql(definition: DecayingScore, now: Date): SQL {
  const days = sql`greatest(0::float8, (${now.getTime()}::float8 - (extract(epoch from s.as_of) * 1000)::float8) / ${DAY_MS}::float8)`;
  return sql`coalesce((select least(${definition.cap}::float8,
      s.value * power(${definition.decayPerDay}::float8, ${days}))
    from customer_scores s
    where s.customer_id = ${customers.id} and s.score_id = ${definition.id}
      and s.version = ${definition.version}::int), 0::float8)`;
}

/**
 * fallsBelowAt (src/scores/decay.ts) in epoch ms (float8), when after now: the moment a
 * comparison of the score with `threshold` can next change. NULL when it cannot.
 */
export function scoreFallsBelowMs(
  leaf: ConditionBody<'score'>,
  now: Date,
  scores: ScoreCatalogue,
): SQL | null {
  const definition = scores.find(leaf.score);
  if (definition?.kind !== 'decaying' || definition.decayPerDay >= 1) return null;
  const threshold = leaf.value;
  if (!(threshold > 0 && threshold <= definition.cap)) return null;
  const asOfMs = sql`(extract(epoch from s.as_of) * 1000)::float8`;
  const crossing = sql`floor(${asOfMs} + (${DAY_MS}::float8 * ln(${threshold}::float8 / s.value)) / ln(${definition.decayPerDay}::float8)) + 1`;
  return sql`(select case when at > ${now.getTime()}::float8 then at end from (
      select case when s.value > ${threshold}::float8 then ${crossing} end as at
        from customer_scores s
       where s.customer_id = ${customers.id} and s.score_id = ${definition.id}
         and s.version = ${definition.version}::int
       offset 0) as crossing)`;
}

export function scoreConditionSql(
  leaf: ConditionBody<'score'>,
  now: Date,
  scores: ScoreCatalogue,
): SQL {
  const definition = scores.find(leaf.score);
  const op = sql.raw(OPERATORS[leaf.op]);
  if (definition?.kind === 'rfm') {
    // No row (no purchase in the window) is missing: false, also under `not`.
    return sql`coalesce((select r.value::float8 ${op} ${leaf.value}::float8 from rfm_scores r
      where r.customer_id = ${customers.id} and r.score_id = ${definition.id}
        and r.version = ${definition.version}::int), false)`;
  }
  // Publishing admits stored scores only; a definition gone since matches nobody (fails closed).
  if (definition?.kind !== 'decaying') return sql`false`;
  return sql`(${scoreValueSql(definition, now)} ${op} ${leaf.value}::float8)`;
}
