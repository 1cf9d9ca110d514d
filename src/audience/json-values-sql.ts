import { sql, type SQL } from 'drizzle-orm';

/**
 * SQL readings of a jsonb value under the journey condition rules (src/journeys/conditions.ts),
 * each NULL where the rule finds no number or timestamp. Patterns travel as bound parameters.
 */

// What String.prototype.trim removes, so " 42\n" is numeric in SQL exactly when it is in JS.
const JS_WHITESPACE = '\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';
const NUMERIC_TEXT = `^[${JS_WHITESPACE}]*-?[0-9]+(?:\\.[0-9]+)?[${JS_WHITESPACE}]*$`;
const NUMBER_PART = '-?[0-9]+(?:\\.[0-9]+)?';

/** A numeric string's number ("42", " -1.5 "); NULL for any other text. */
export function numberOfText(text: SQL): SQL {
  return sql`(case when ${text} ~ ${NUMERIC_TEXT}::text then substring(${text} from ${NUMBER_PART}::text)::float8 end)`;
}

/** A jsonb number, or a numeric string, as float8 (JS numbers are doubles too). */
export function numberOf(value: SQL): SQL {
  return sql`(case jsonb_typeof(${value}) when 'number' then (${value})::float8 when 'string' then ${numberOfText(sql`(${value} #>> '{}')`)} end)`;
}

/** The value as the JS string it holds, when it is a jsonb string. */
export function textOf(value: SQL): SQL {
  return sql`(case when jsonb_typeof(${value}) = 'string' then ${value} #>> '{}' end)`;
}

// asTimestamp's pattern, with the parts captured: year, month, day, hour, minute, second,
// fraction, zone, zone sign, zone hours, zone minutes.
const ISO_PARTS =
  '^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]+))?)?' +
  '(Z|([+-])([0-9]{2}):?([0-9]{2}))?)?$';

/**
 * Epoch ms of an ISO-8601 text as V8's Date.parse reads what asTimestamp admits: a missing zone
 * is UTC; a day up to 31 in any month rolls over into the next ("2024-02-30" is 1 March); 24:00
 * is the next midnight; the fraction is cut to milliseconds. Anything else is NULL, never an error
 * (one odd attribute must not fail a whole query), hence the arithmetic instead of make_date.
 * `offset 0` keeps Postgres from pulling the match up and running the regex once per part.
 */
export function isoTextMs(text: SQL): SQL {
  return sql`(select case when ok then (((era * 146097 + yoe * 365 + yoe / 4 - yoe / 100
        + (153 * ((mo + 9) % 12) + 2) / 5 + d - 1 - 719468)::bigint * 86400000
        + h * 3600000 + mi * 60000 + s * 1000 + ms - off * 60000)::float8) end
    from (select *, yp - era * 400 as yoe from (select *,
        case when yp >= 0 then yp / 400 else (yp - 399) / 400 end as era from (select
        p[1]::int - case when p[2]::int <= 2 then 1 else 0 end as yp,
        p[2]::int as mo, p[3]::int as d,
        coalesce(p[4]::int, 0) as h, coalesce(p[5]::int, 0) as mi, coalesce(p[6]::int, 0) as s,
        coalesce(rpad(substr(p[7], 1, 3), 3, '0')::int, 0) as ms,
        case p[9] when '-' then -1 else 1 end
          * (coalesce(p[10]::int, 0) * 60 + coalesce(p[11]::int, 0)) as off,
        p[2]::int between 1 and 12 and p[3]::int between 1 and 31
          and coalesce(p[5]::int, 0) <= 59 and coalesce(p[6]::int, 0) <= 59
          and coalesce(p[10]::int, 0) <= 23 and coalesce(p[11]::int, 0) <= 59
          and (coalesce(p[4]::int, 0) <= 23 or (p[4]::int = 24 and p[5]::int = 0
            and coalesce(p[6]::int, 0) = 0 and coalesce(p[7], '') !~ '[1-9]')) as ok
      from (select regexp_match(${text}, ${ISO_PARTS}::text) as p offset 0) as matched
      where p is not null) as parts) as eras) as days)`;
}

/** asTimestamp: epoch ms from a jsonb number or an ISO-8601 string; NULL otherwise. */
export function timestampMsOf(value: SQL): SQL {
  return sql`(case jsonb_typeof(${value}) when 'number' then (${value})::float8 when 'string' then ${isoTextMs(sql`(${value} #>> '{}')`)} end)`;
}
