import { sql, type SQL } from 'drizzle-orm';
import type { ScoreCatalogue } from '../scores';
import type { SegmentCondition } from '../segments/schema';
import {
  consentedSql,
  inSegmentSql,
  lifecycleStageSql,
  reachableSql,
  subscribedSql,
} from './channel-sql';
import { comparisonOnceSql, comparisonSql } from './comparison-sql';
import { aggregateSql, engagedSql, eventTimeSql, notPerformedSql, performedSql } from './event-sql';
import { lastEngagedAgeSql, profileValue } from './profile-sql';
import { scoreConditionSql } from './score-sql';

export interface SegmentSqlContext {
  now: Date;
  emailMarketingDefault: 'opted_in' | 'opted_out';
  /** The scores `score` conditions read (their active versions), loaded by the caller. */
  scores: ScoreCatalogue;
  /**
   * Who the query is for: `few` (the default) for a handful of ids (live evaluation), `all` for
   * a whole-table count (a preview). Counts and aggregates are planned differently for each (an
   * index probe per customer, or one grouped pass over the events); the answer is the same.
   */
  population?: 'few' | 'all';
}

/**
 * A segment condition as a boolean SQL expression over `customers`, with the meaning of the pure
 * evaluator (src/segments/evaluate.ts): every value a bound parameter, every leaf true or false
 * (never NULL, so `not` of a condition on a missing value passes). Leaves that cannot be NULL
 * (exists forms) are left bare: wrapped in coalesce, Postgres could not turn them into semi- and
 * anti-joins (35 s against 0.5 s for a count over 100k customers and 5M events). Use it in a where clause of a
 * query from `customers`, for a few ids (live evaluation) or for the whole table (a preview).
 */
export function segmentPredicate(condition: SegmentCondition, context: SegmentSqlContext): SQL {
  if ('all' in condition) return combine(condition.all, sql` and `, context);
  if ('any' in condition) return combine(condition.any, sql` or `, context);
  if ('not' in condition) return sql`(not ${segmentPredicate(condition.not, context)})`;
  return leafSql(condition, context);
}

function combine(list: SegmentCondition[], operator: SQL, context: SegmentSqlContext): SQL {
  return sql`(${sql.join(
    list.map((c) => segmentPredicate(c, context)),
    operator,
  )})`;
}

function leafSql(condition: SegmentCondition, context: SegmentSqlContext): SQL {
  const { now } = context;
  const events = { now, population: context.population ?? 'few' } as const;
  if ('profile' in condition) {
    const { field, ...comparison } = condition.profile;
    if (
      field === 'last_engaged_at' &&
      (comparison.op === 'within' || comparison.op === 'older_than')
    ) {
      return lastEngagedAgeSql(comparison.op, comparison.value, now);
    }
    const value = profileValue(field);
    return value.costly
      ? comparisonOnceSql(value.sql, comparison, now)
      : comparisonSql(value.sql, comparison, now);
  }
  if ('performed' in condition) return performedSql(condition.performed, events);
  if ('notPerformed' in condition) return notPerformedSql(condition.notPerformed, now);
  if ('eventTime' in condition) return eventTimeSql(condition.eventTime, now);
  if ('aggregate' in condition) return aggregateSql(condition.aggregate, events);
  if ('engaged' in condition) return engagedSql(condition.engaged, events);
  if ('reachable' in condition) return reachableSql(condition.reachable);
  if ('consented' in condition) {
    return consentedSql(condition.consented, context.emailMarketingDefault);
  }
  if ('subscribed' in condition) return subscribedSql(condition.subscribed);
  if ('inSegment' in condition) return inSegmentSql(condition.inSegment);
  if ('score' in condition) return scoreConditionSql(condition.score, now, context.scores);
  if ('lifecycleStage' in condition) return lifecycleStageSql(condition.lifecycleStage);
  throw new Error(`unknown segment condition: ${Object.keys(condition).join(', ')}`);
}
