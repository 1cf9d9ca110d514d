import { once } from 'node:events';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { copyInOf } from '../db/postgres-client';

/** A staging table's columns, as [name, Postgres type], in the order of each row's values. */
export type StagingColumns = readonly (readonly [string, string])[];
export type StagingRow = (string | number | null)[];

/** On PGlite, rows go in by inserts of this many (it has no COPY from a client). */
const INSERT_BATCH = 5_000;

/**
 * Fills a temporary table of the caller's transaction with a chunk of rows: by COPY on
 * postgres.js (text format, one write), by batches of `insert … select from unnest` on embedded
 * PGlite. `table` and `columns` are constants of the caller's, never input.
 */
export async function fillStaging(
  tx: Database,
  table: string,
  columns: StagingColumns,
  rows: StagingRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const copyIn = copyInOf(tx);
  const names = columns.map(([name]) => name).join(', ');
  if (copyIn) {
    const copy = await copyIn(`copy ${table} (${names}) from stdin`);
    const done = once(copy, 'finish');
    copy.end(rows.map(copyLine).join(''));
    await done;
    return;
  }
  for (let start = 0; start < rows.length; start += INSERT_BATCH) {
    const batch = rows.slice(start, start + INSERT_BATCH);
    const arrays = columns.map(
      (_column, index) =>
        sql`${sql.param(batch.map((row) => (row[index] === null ? null : String(row[index]))))}::text[]`,
    );
    const casts = columns.map(([name, type]) => `t.${name}::${type}`).join(', ');
    await tx.execute(
      sql`insert into ${sql.raw(table)} (${sql.raw(names)})
          select ${sql.raw(casts)} from unnest(${sql.join(arrays, sql`, `)}) as t(${sql.raw(names)})`,
    );
  }
}

/** One row in COPY's text format: tab-separated, \N for null, backslash escapes. */
export function copyLine(row: StagingRow): string {
  return row.map(copyField).join('\t') + '\n';
}

const SPECIAL = /[\\\t\n\r]/;

function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  const text = String(value);
  if (!SPECIAL.test(text)) return text;
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}
