import { sql, type SQL } from 'drizzle-orm';
import { parseDuration } from '../journeys/durations';
import { numericValue } from '../segments/event-facts';
import type { ProfileComparison } from '../segments/schema';
import { numberOf, textOf, timestampMsOf } from './json-values-sql';

/**
 * The journey operators (src/journeys/conditions.ts) over a jsonb value in SQL, where SQL NULL
 * is a missing value and jsonb null a present null. Each result is true or false, never NULL, so
 * `not` of a condition on a missing value passes as the evaluator's does.
 */

type Scalar = string | number | boolean;
export type Comparison = ProfileComparison extends infer C
  ? C extends ProfileComparison
    ? Omit<C, 'field'>
    : never
  : never;

export function comparisonSql(value: SQL, comparison: Comparison, now: Date): SQL {
  return sql`coalesce(${test(value, comparison, now)}, false)`;
}

/**
 * The same, for a value that is costly to compute (a subquery): computed once, where the inline
 * form would repeat it in every branch of the test (`offset 0` keeps Postgres from inlining it).
 */
export function comparisonOnceSql(value: SQL, comparison: Comparison, now: Date): SQL {
  const test = comparisonSql(sql`computed.value`, comparison, now);
  return sql`(select ${test} from (select ${value} as value offset 0) as computed)`;
}

function test(value: SQL, comparison: Comparison, now: Date): SQL {
  const present = sql`(${value} is not null)`;
  switch (comparison.op) {
    case 'eq':
      return sameValue(value, comparison.value);
    case 'ne':
      return sql`(${present} and not coalesce(${sameValue(value, comparison.value)}, false))`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compareNumber(value, comparison.op, comparison.value);
    case 'contains':
      return contains(value, comparison.value);
    case 'in':
      return anyOf(value, comparison.value);
    case 'not_in':
      return sql`(${present} and not coalesce(${anyOf(value, comparison.value)}, false))`;
    case 'exists':
      return comparison.value
        ? sql`(${present} and jsonb_typeof(${value}) <> 'null')`
        : sql`(${value} is null or jsonb_typeof(${value}) = 'null')`;
    case 'within':
    case 'older_than':
      return compareAge(value, comparison.op, comparison.value, now);
  }
}

/** sameValue: strict, except that a number and a numeric string compare as numbers. */
export function sameValue(value: SQL, expected: Scalar): SQL {
  if (typeof expected === 'boolean') {
    // jsonb equality, never a cast: Postgres may evaluate a cast before the type test beside it.
    return sql`(${value} = to_jsonb(${expected}::boolean))`;
  }
  const asNumber = numericValue(expected);
  if (typeof expected === 'number') {
    return sql`(${numberOf(value)} = ${asNumber}::float8)`;
  }
  const sameText = sql`(${textOf(value)} = ${expected}::text)`;
  if (asNumber === null) return sameText;
  return sql`(${sameText} or (${numberOf(value)} = ${asNumber}::float8 and jsonb_typeof(${value}) = 'number'))`;
}

function anyOf(value: SQL, expected: Scalar[]): SQL {
  return sql`(${sql.join(
    expected.map((v) => sameValue(value, v)),
    sql` or `,
  )})`;
}

const OPERATOR = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` };

function compareNumber(value: SQL, op: keyof typeof OPERATOR, expected: Scalar): SQL {
  const bound = typeof expected === 'boolean' ? null : numericValue(expected);
  if (bound === null) return sql`false`;
  return sql`(${numberOf(value)} ${OPERATOR[op]} ${bound}::float8)`;
}

function contains(value: SQL, expected: Scalar): SQL {
  const inArray = sql`(jsonb_typeof(${value}) = 'array' and exists (select 1 from jsonb_array_elements(${value}) as element(item) where ${sameValue(sql`element.item`, expected)}))`;
  if (typeof expected !== 'string') return inArray;
  return sql`(strpos(${textOf(value)}, ${expected}::text) > 0 or ${inArray})`;
}

function compareAge(value: SQL, op: 'within' | 'older_than', duration: string, now: Date): SQL {
  const age = sql`(${now.getTime()}::float8 - ${timestampMsOf(value)})`;
  const limit = sql`${parseDuration(duration)}::float8`;
  return op === 'within' ? sql`(${age} <= ${limit})` : sql`(${age} > ${limit})`;
}
