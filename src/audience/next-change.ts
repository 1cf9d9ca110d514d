import { sql, type SQL } from 'drizzle-orm';
import { customers, events } from '../db/schema';
import { parseDuration } from '../journeys/durations';
import { eventLeaf, isAgeComparison, type EventLeafShape } from '../segments/next-change';
import type { ScoreCatalogue } from '../scores';
import type { SegmentCondition } from '../segments/schema';
import { comparisonSql } from './comparison-sql';
import { propertyValue } from './event-sql';
import { timestampMsOf } from './json-values-sql';
import { profileValue } from './profile-sql';
import { scoreFallsBelowMs } from './score-sql';

/**
 * When a customer's answer to a condition can next change with no new event: a timestamptz SQL
 * expression over `customers` (NULL for a customer with nothing pending), or null when nothing
 * in the condition depends on time. Early is allowed (the re-check finds no change), late never.
 * The same candidates as the pure nextChangeAfter (src/segments/next-change.ts), which the tests
 * hold it equal to: an event leaving its window, a future-dated event starting to count, an age
 * limit crossed, a decaying score falling past a threshold. Computed in epoch ms (float8) and turned into a timestamptz once.
 */
export function nextChangeAt(
  condition: SegmentCondition,
  context: { now: Date; scores: ScoreCatalogue },
): SQL | null {
  const ms = nextChangeMs(condition, context.now, context.scores);
  return ms === null ? null : sql`(timestamptz 'epoch' + ${ms} * interval '1 millisecond')`;
}

function nextChangeMs(condition: SegmentCondition, now: Date, scores: ScoreCatalogue): SQL | null {
  if ('all' in condition || 'any' in condition) {
    const list = 'all' in condition ? condition.all : condition.any;
    return least(list.map((c) => nextChangeMs(c, now, scores)));
  }
  if ('not' in condition) return nextChangeMs(condition.not, now, scores);
  if ('profile' in condition) {
    const { field, op, value } = condition.profile;
    if (op !== 'within' && op !== 'older_than') return null;
    const crossing = ageCrossingSql(timestampMsOf(sql`computed.value`), value, now);
    return sql`(select ${crossing} from (select ${profileValue(field).sql} as value offset 0) as computed)`;
  }
  if ('score' in condition) return scoreFallsBelowMs(condition.score, now, scores);
  const leaf = eventLeaf(condition);
  return leaf ? eventChangeSql(leaf, now) : null;
}

function least(parts: (SQL | null)[]): SQL | null {
  const known = parts.filter((p): p is SQL => p !== null);
  return known.length === 0 ? null : sql`least(${sql.join(known, sql`, `)})`;
}

const msOf = (ts: SQL) => sql`(extract(epoch from ${ts}) * 1000)::float8`;

/** floor(ts + age) + 1 ms when that is after now (computed once: ts may be a costly parse). */
function ageCrossingSql(tsMs: SQL, age: string, now: Date): SQL {
  return sql`(select case when at > ${now.getTime()}::float8 then at end
    from (select floor(${tsMs} + ${parseDuration(age)}::float8) + 1 as at offset 0) as crossing)`;
}

function eventChangeSql(leaf: EventLeafShape, now: Date): SQL {
  const occurred = sql`${events.occurredAt}`;
  const nowAt = sql`${now.toISOString()}::timestamptz`;
  const matching = leaf.where.length
    ? sql.join(
        leaf.where.map(({ property, ...rest }) =>
          comparisonSql(propertyValue(property), rest, now),
        ),
        sql` and `,
      )
    : sql`true`;
  const ages = leaf.where.filter(isAgeComparison);
  const base = ages.length > 0 ? sql`true` : matching;
  const parts: SQL[] = [
    sql`min(${msOf(occurred)}) filter (where ${base} and ${occurred} > ${nowAt})`,
  ];
  if (leaf.within !== undefined) {
    const window = parseDuration(leaf.within);
    const from = sql`${new Date(now.getTime() - window).toISOString()}::timestamptz`;
    parts.push(
      sql`(min(${msOf(occurred)}) filter (where ${base} and ${occurred} > ${from} and ${occurred} <= ${nowAt}) + ${window}::float8)`,
    );
  }
  if (leaf.eventTime) {
    const pick = leaf.eventTime.which === 'first' ? sql`min` : sql`max`;
    const time = sql`${pick}(${msOf(occurred)}) filter (where ${matching} and ${occurred} <= ${nowAt})`;
    parts.push(ageCrossingSql(time, leaf.eventTime.value, now));
  }
  for (const { property, value } of ages) {
    const crossing = ageCrossingSql(timestampMsOf(propertyValue(property)), value as string, now);
    parts.push(sql`min(${crossing})`);
  }
  const human = leaf.humanOnly
    ? sql` and not coalesce(${events.flags} -> 'machineOpen' = 'true'::jsonb, false) and not coalesce(${events.flags} -> 'bot' = 'true'::jsonb, false)`
    : sql``;
  return sql`(select least(${sql.join(parts, sql`, `)}) from ${events}
    where ${events.customerId} = ${customers.id} and ${events.type} = any(${sql.param(leaf.types)}::text[])${human})`;
}
