import postgres from 'postgres';
import { describeFailure } from '../db/safe-error';
import { SourceFailure, type SourcePage, type SourceReader } from './source-reader';

export interface PostgresSourceOptions {
  url: string;
  /** The source's query, using `$cursor`; Cairn orders and limits what it answers. */
  query: string;
  cursorField: string;
  pageSize: number;
}

const CURSOR_COLUMN = '__cairn_cursor';

/**
 * A Postgres source: the operator's query, wrapped so that it answers rows after the cursor in
 * cursor order, a page at a time, with the cursor as Postgres prints it as JSON (a timestamptz
 * keeps its microseconds, so passing it back as `$cursor` skips exactly what was read).
 */
export function postgresSource(options: PostgresSourceOptions): SourceReader {
  const sql = postgres(options.url, {
    max: 1,
    connect_timeout: 10,
    idle_timeout: 5,
    prepare: false,
    onnotice: () => undefined,
  });
  const column = `"${options.cursorField.replace(/"/g, '""')}"`;
  const inner = options.query.trim().replace(/;+$/, '').replaceAll('$cursor', '$1');
  const statement =
    `select s.*, to_json(s.${column}) #>> '{}' as ${CURSOR_COLUMN} from (${inner}) as s ` +
    `where s.${column} > $1 order by s.${column} limit ${options.pageSize}`;
  return {
    async read(cursor: string): Promise<SourcePage> {
      let rows: Record<string, unknown>[];
      try {
        rows = await sql.unsafe<Record<string, unknown>[]>(statement, [cursor]);
      } catch (error) {
        throw new SourceFailure(`the source query failed: ${describeFailure(error)}`);
      }
      return pageOf([...rows], options.pageSize);
    },
    async close() {
      await sql.end({ timeout: 5 }).catch(() => undefined);
    },
  };
}

/**
 * A full page may end inside a run of rows sharing one cursor value; reading on from that value
 * would skip the rest of them. So a full page ends before its last value, and those rows come
 * first in the next page. A page holding nothing but one value cannot end anywhere: that fails
 * the run, asking for a larger page, rather than skipping rows.
 */
export function pageOf(rows: Record<string, unknown>[], pageSize: number): SourcePage {
  const cursorOf = (row: Record<string, unknown>) => String(row[CURSOR_COLUMN]);
  if (rows.length === 0) return { rows: [], cursors: [], nextCursor: null, more: false };
  const full = rows.length >= pageSize;
  let kept = rows;
  if (full) {
    const last = cursorOf(rows[rows.length - 1]!);
    kept = rows.slice(
      0,
      rows.findIndex((row) => cursorOf(row) === last),
    );
    if (kept.length === 0) {
      throw new SourceFailure(
        `more than pageSize (${pageSize}) rows share one cursor value: raise the source's pageSize`,
      );
    }
  }
  const cursors = kept.map(cursorOf);
  return { rows: kept, cursors, nextCursor: cursors[cursors.length - 1]!, more: full };
}
