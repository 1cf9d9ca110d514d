import { sql, type SQL } from 'drizzle-orm';
import { customerLifecycle, customers, events } from '../db/schema';
import { parseDuration } from '../journeys/durations';
import { ENGAGEMENT_TYPES } from '../segments/engagement-types';

/**
 * The jsonb value at a profile path, as src/customers/profile-snapshot.ts builds the snapshot:
 * built-in fields from their columns, everything else from `attributes` (which may not shadow a
 * built-in). SQL NULL is a missing value. The path's names travel as one text[] parameter.
 */
export function profileValue(field: string): { sql: SQL; costly: boolean } {
  const [first = '', ...rest] = field.split('.');
  if (first === 'last_engaged_at' && rest.length === 0)
    return { sql: lastEngagedAt(), costly: true };
  return { sql: columnValue(first, rest), costly: false };
}

function columnValue(first: string, rest: string[]): SQL {
  const child = rest.length === 0 ? null : sql`${sql.param(rest)}::text[]`;
  const scalar = (value: SQL) => (child ? sql`null::jsonb` : value);
  switch (first) {
    // Never in the snapshot: conditions see hasEmail / hasPhone, not the addresses.
    case 'email':
    case 'phone':
      return sql`null::jsonb`;
    case 'id':
      return scalar(sql`to_jsonb(${customers.id})`);
    case 'timeZone':
      return scalar(sql`coalesce(to_jsonb(${customers.timeZone}), 'null'::jsonb)`);
    case 'locale':
      return scalar(sql`coalesce(to_jsonb(${customers.locale}), 'null'::jsonb)`);
    // Boolean(customer.email): an empty string is no address.
    case 'hasEmail':
      return scalar(sql`to_jsonb(coalesce(${customers.email} <> '', false))`);
    case 'hasPhone':
      return scalar(sql`to_jsonb(coalesce(${customers.phone} <> '', false))`);
    case 'consent':
      return child ? sql`(${customers.consent} #> ${child})` : sql`${customers.consent}`;
    // A timestamp string: it has no children.
    case 'last_engaged_at':
      return sql`null::jsonb`;
    // Reserved for the snapshot's scores (an attribute cannot shadow it): the score condition reads them.
    case 'scores':
      return sql`null::jsonb`;
    // The stored stage, as the snapshot reads it (no row: missing).
    case 'lifecycle_stage':
      return scalar(
        sql`(select to_jsonb(${customerLifecycle.stage}) from ${customerLifecycle} where ${customerLifecycle.customerId} = ${customers.id})`,
      );
    default:
      return sql`(${customers.attributes} #> ${sql.param([first, ...rest])}::text[])`;
  }
}

/** lastEngagement's answer (src/customers/engagement.ts) as toISOString writes it. */
function lastEngagedAt(): SQL {
  const types = Object.keys(ENGAGEMENT_TYPES);
  return sql`(select to_jsonb(to_char(max(${events.occurredAt}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    from ${events} where ${events.customerId} = ${customers.id}
    and ${events.type} = any(${sql.param(types)}::text[]))`;
}

/**
 * last_engaged_at within / older_than without building its string: the last engagement is at or
 * after now - age exactly when some engagement is (the string keeps every millisecond), which
 * Postgres plans as a semi- or anti-join instead of a subquery and a parse per customer.
 */
export function lastEngagedAgeSql(op: 'within' | 'older_than', age: string, now: Date): SQL {
  const limit = new Date(now.getTime() - parseDuration(age)).toISOString();
  const engagement = (extra: SQL) =>
    sql`exists (select 1 from ${events} where ${events.customerId} = ${customers.id}
      and ${events.type} = any(${sql.param(Object.keys(ENGAGEMENT_TYPES))}::text[])${extra})`;
  const since = engagement(sql` and ${events.occurredAt} >= ${limit}::timestamptz`);
  return op === 'within' ? since : sql`(${engagement(sql``)} and not ${since})`;
}
