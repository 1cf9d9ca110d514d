import { Param, sql, type DriverValueEncoder, type SQL } from 'drizzle-orm';
import type { Database } from './database';

/**
 * A hot statement built once per database instead of once per call. Building a drizzle query
 * (walking the builder, escaping names, mapping columns) costs more CPU than sending it, and the
 * send path runs the same few statements for every message; a statement `.prepare()`d with
 * `sql.placeholder(...)` values only fills its parameters on each execution.
 *
 * The cache is keyed by the drizzle database the caller passes, because a prepared query is bound
 * to that database's client: tests open many databases, and a transaction handed in as `db` gets
 * statements bound to itself (correct, just not reused once it ends). The WeakMap lets a closed
 * database's statements go with it.
 */
export function preparedPerDatabase<Q>(build: (db: Database) => Q): (db: Database) => Q {
  const built = new WeakMap<Database, Q>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}

/**
 * A placeholder for a value of `column`, encoded the way drizzle encodes a value it is given when
 * the statement is built (a Date as ISO text, jsonb as JSON text), with null kept SQL NULL: drizzle
 * maps a placeholder's value through the column without that null check, so a null jsonb would be
 * stored as the JSON value `null` and a null timestamp would throw. Use it for update `set`
 * values (which take no bare placeholder) and for any value that may be null.
 */
export function columnPlaceholder<T>(name: string, column: DriverValueEncoder<T, unknown>): SQL {
  // The encoder sees the value the placeholder is filled with, not the placeholder.
  const encoder: DriverValueEncoder<unknown, unknown> = {
    mapToDriverValue: (value) => (value === null ? null : column.mapToDriverValue(value as T)),
  };
  return sql`${new Param<unknown>(sql.placeholder(name), encoder)}`;
}
