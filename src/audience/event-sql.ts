import { sql, type SQL } from 'drizzle-orm';
import { customers, events } from '../db/schema';
import { parseDuration } from '../journeys/durations';
import { engagementTypesFor } from '../segments/engagement-types';
import type { ConditionBody } from '../segments/condition-body';
import type { ConditionKind, Count, PropertyComparison } from '../segments/schema';
import { comparisonSql } from './comparison-sql';
import { numberOf } from './json-values-sql';

/**
 * The event leaves in SQL: each a correlated subquery on the customer's events, written as
 * exists / not exists where it can be so Postgres may plan a semi- or anti-join for a whole-table
 * count and an index probe (events(customer_id, occurred_at desc)) for a few customers.
 */

type Leaf<K extends ConditionKind> = ConditionBody<K>;

export interface EventScope {
  event?: string;
  types?: string[];
  where?: PropertyComparison[] | undefined;
  /** Only events at or after this moment (by occurred_at), exclusive or inclusive. */
  after?: Date;
  from?: Date;
  /** Only events before this moment (exclusive). */
  before?: Date;
  humanOnly?: boolean;
}

const at = (date: Date) => sql`${date.toISOString()}::timestamptz`;

export function propertyValue(property: string): SQL {
  return sql`(${events.properties} #> ${sql.param(property.split('.'))}::text[])`;
}

/** The filter of a customer's events: type, properties, window, machine opens left out. */
export function eventScopeSql(scope: EventScope, now: Date, correlated = true): SQL {
  const parts: SQL[] = correlated ? [sql`${events.customerId} = ${customers.id}`] : [];
  if (scope.event !== undefined) parts.push(sql`${events.type} = ${scope.event}::text`);
  if (scope.types) parts.push(sql`${events.type} = any(${sql.param(scope.types)}::text[])`);
  parts.push(sql`${events.occurredAt} <= ${at(now)}`);
  if (scope.after) parts.push(sql`${events.occurredAt} > ${at(scope.after)}`);
  if (scope.from) parts.push(sql`${events.occurredAt} >= ${at(scope.from)}`);
  if (scope.before) parts.push(sql`${events.occurredAt} < ${at(scope.before)}`);
  for (const comparison of scope.where ?? []) {
    const { property, ...rest } = comparison;
    parts.push(comparisonSql(propertyValue(property), rest, now));
  }
  if (scope.humanOnly) {
    parts.push(sql`not coalesce(${events.flags} -> 'machineOpen' = 'true'::jsonb, false)`);
    parts.push(sql`not coalesce(${events.flags} -> 'bot' = 'true'::jsonb, false)`);
  }
  return sql.join(parts, sql` and `);
}

const exists = (scope: EventScope, now: Date) =>
  sql`exists (select 1 from ${events} where ${eventScopeSql(scope, now)})`;

function windowStart(within: string | undefined, now: Date): Date | undefined {
  return within === undefined ? undefined : new Date(now.getTime() - parseDuration(within));
}

/**
 * Whether the customer's events of the scope pass a test of their aggregate (`having`). For a
 * few customers, one correlated subquery each (an index probe per customer); for the whole table,
 * one grouped pass over the events of the type (`in` / `not in` a hashed subquery), with
 * `passesWithNone` saying what a customer with no such events gets.
 */
function perCustomerSql(
  scope: EventScope,
  aggregate: SQL,
  test: (value: SQL) => SQL,
  passesWithNone: boolean,
  context: EventSqlContext,
): SQL {
  const { now } = context;
  if (context.population === 'few') {
    const value = sql`(select ${aggregate} from ${events} where ${eventScopeSql(scope, now)})`;
    return sql`coalesce(${test(value)}, false)`;
  }
  const grouped = (having: SQL) =>
    sql`(select ${events.customerId} from ${events} where ${eventScopeSql(scope, now, false)} group by ${events.customerId} having ${having})`;
  return passesWithNone
    ? sql`${customers.id} not in ${grouped(sql`not coalesce(${test(aggregate)}, false)`)}`
    : sql`${customers.id} in ${grouped(sql`coalesce(${test(aggregate)}, false)`)}`;
}

/** How a leaf's SQL is shaped: `few` for a handful of customers, `all` for a whole-table count. */
export interface EventSqlContext {
  now: Date;
  population: 'few' | 'all';
}

/** How many events of the scope, compared as the count says (at least one when left out). */
function countSql(scope: EventScope, count: Count | undefined, context: EventSqlContext): SQL {
  const { now } = context;
  if (scope.types?.length === 0) return sql`${countHolds(count, 0)}::boolean`;
  const n = count?.atLeast ?? (count ? undefined : 1);
  if (n === 0) return sql`true`;
  if (n === 1) return exists(scope, now);
  if (count?.atMost === 0 || count?.exactly === 0) return sql`not ${exists(scope, now)}`;
  const test = (counted: SQL) => {
    if (n !== undefined) return sql`(${counted} >= ${n}::bigint)`;
    if (count?.atMost !== undefined) return sql`(${counted} <= ${count.atMost}::bigint)`;
    return sql`(${counted} = ${count?.exactly ?? 0}::bigint)`;
  };
  return perCustomerSql(scope, sql`count(*)`, test, countHolds(count, 0), context);
}

function countHolds(count: Count | undefined, n: number): boolean {
  if (!count || count.atLeast !== undefined) return n >= (count?.atLeast ?? 1);
  if (count.atMost !== undefined) return n <= count.atMost;
  return n === count.exactly;
}

export function performedSql(leaf: Leaf<'performed'>, context: EventSqlContext): SQL {
  const { now } = context;
  const scope = { event: leaf.event, where: leaf.where, after: windowStart(leaf.within, now) };
  return countSql(scope, leaf.count, context);
}

export function notPerformedSql(leaf: Leaf<'notPerformed'>, now: Date): SQL {
  const scope = { event: leaf.event, where: leaf.where, after: windowStart(leaf.within, now) };
  return sql`not ${exists(scope, now)}`;
}

/**
 * first/last within / older_than as exists forms: with X = now - value, "first within" is some
 * event in [X, now] and none before X; "last older_than" is one before X and none in [X, now].
 */
export function eventTimeSql(leaf: Leaf<'eventTime'>, now: Date): SQL {
  const limit = new Date(now.getTime() - parseDuration(leaf.value));
  const base = { event: leaf.event, where: leaf.where };
  const before = exists({ ...base, before: limit }, now);
  const since = exists({ ...base, from: limit }, now);
  if (leaf.which === 'first') {
    return leaf.op === 'within' ? sql`(${since} and not ${before})` : before;
  }
  return leaf.op === 'within' ? since : sql`(${before} and not ${since})`;
}

const AGGREGATE = {
  sum: (n: SQL) => sql`coalesce(sum(${n}), 0)`,
  avg: (n: SQL) => sql`(sum(${n}) / nullif(count(${n}), 0))`,
  min: (n: SQL) => sql`min(${n})`,
  max: (n: SQL) => sql`max(${n})`,
};

const OPERATOR = { eq: sql`=`, ne: sql`<>`, gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` };

export function aggregateSql(leaf: Leaf<'aggregate'>, context: EventSqlContext): SQL {
  const { now } = context;
  const scope = { event: leaf.event, where: leaf.where, after: windowStart(leaf.within, now) };
  const value = AGGREGATE[leaf.fn](numberOf(propertyValue(leaf.property)));
  const test = (result: SQL) => sql`(${result} ${OPERATOR[leaf.op]} ${leaf.value}::float8)`;
  // Only a sum has a value (0) for a customer with no such events.
  const passesWithNone = leaf.fn === 'sum' && holds(leaf.op, 0, leaf.value);
  return perCustomerSql(scope, value, test, passesWithNone, context);
}

function holds(op: keyof typeof OPERATOR, a: number, b: number): boolean {
  const results = { eq: a === b, ne: a !== b, gt: a > b, gte: a >= b, lt: a < b, lte: a <= b };
  return results[op];
}

export function engagedSql(leaf: Leaf<'engaged'>, context: EventSqlContext): SQL {
  const { now } = context;
  const scope = {
    types: engagementTypesFor(leaf.action, leaf.channel),
    after: windowStart(leaf.within, now),
    humanOnly: true,
  };
  return countSql(scope, leaf.count, context);
}
