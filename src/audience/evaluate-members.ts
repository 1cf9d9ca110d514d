import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { customers } from '../db/schema';
import type { SegmentCondition } from '../segments/schema';
import type { MembershipVerdict } from './membership-changes';
import type { ActiveRuleSegment } from './segment-catalogue';
import { nextChangeAt } from './next-change';
import { segmentPredicate, type SegmentSqlContext } from './segment-sql';

interface VerdictRow {
  id: string;
  member: boolean;
  due: string | Date | null;
}

/** The verdict for each of these customers (ids of customers that do not exist are left out). */
export async function evaluateCustomers(
  db: Database,
  segment: ActiveRuleSegment,
  customerIds: string[],
  context: SegmentSqlContext,
): Promise<MembershipVerdict[]> {
  if (customerIds.length === 0) return [];
  const ids = sql`${customers.id} = any(${sql.param([...new Set(customerIds)])}::text[])`;
  return verdicts(db, segment, ids, sql``, context);
}

/** The verdicts of one page of every customer, in id order after `after`. */
export async function evaluatePage(
  db: Database,
  segment: ActiveRuleSegment,
  page: { after: string | null; size: number },
  context: SegmentSqlContext,
): Promise<MembershipVerdict[]> {
  const after = page.after === null ? sql`true` : sql`${customers.id} > ${page.after}`;
  const tail = sql`order by ${customers.id} limit ${page.size}`;
  return verdicts(db, segment, after, tail, context);
}

async function verdicts(
  db: Database,
  segment: ActiveRuleSegment,
  where: SQL,
  tail: SQL,
  context: SegmentSqlContext,
): Promise<MembershipVerdict[]> {
  // When to look again with no new event (a window edge); null: only an event can change it.
  const due = nextChangeAt(segment.condition, context) ?? sql`null::timestamptz`;
  const result = await db.execute(sql`
    select ${customers.id} as id, ${segmentPredicate(segment.condition, context)} as member,
           ${due} as due
      from ${customers}
     where ${where}
     ${tail}`);
  return rowsOf<VerdictRow>(result).map((row) => ({
    customerId: row.id,
    member: row.member,
    dueAt: row.due === null ? null : new Date(row.due),
  }));
}

/** What an evaluation of an ordered list of conditions says of one customer. */
export interface FirstMatchVerdict {
  customerId: string;
  /** The index of the first condition that passes; null when none does. */
  match: number | null;
  /** When any of the conditions can next change with no new event; null: only an event can. */
  dueAt: Date | null;
}

/**
 * The first passing condition of an ordered list for each of these customers, in one query with
 * the segment compiler's predicates (lifecycle stages: first match wins). Due when any condition
 * can change, which may be early for a later condition the first match hides (early is allowed).
 */
export async function evaluateFirstMatch(
  db: Database,
  conditions: readonly SegmentCondition[],
  customerIds: string[],
  context: SegmentSqlContext,
): Promise<FirstMatchVerdict[]> {
  if (customerIds.length === 0 || conditions.length === 0) return [];
  const cases = conditions.map(
    (condition, index) => sql`when ${segmentPredicate(condition, context)} then ${index}::int`,
  );
  const due = nextChangeAt({ any: [...conditions] }, context) ?? sql`null::timestamptz`;
  const result = await db.execute(sql`
    select ${customers.id} as id, case ${sql.join(cases, sql` `)} else null end as match,
           ${due} as due
      from ${customers}
     where ${customers.id} = any(${sql.param([...new Set(customerIds)])}::text[])`);
  return rowsOf<{ id: string; match: number | null; due: string | Date | null }>(result).map(
    (row) => ({
      customerId: row.id,
      match: row.match === null ? null : Number(row.match),
      dueAt: row.due === null ? null : new Date(row.due),
    }),
  );
}
