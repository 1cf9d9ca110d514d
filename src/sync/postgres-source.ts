import postgres from 'postgres';
import { describeFailure } from '../db/safe-error';
import { SourceFailure, type SourcePage, type SourceReader } from './source-reader';

export interface PostgresSourceOptions {
  url: string;
  /** The source's query, using `$cursor`; Cairn orders and limits what it answers. */
  query: string;
  cursorField: string;
  cursorType: 'time' | 'number' | 'text';
  pageSize: number;
}

/**
 * The cursor goes to Postgres as text and is cast there: the driver would turn a parameter the
 * server types as a timestamp into a JavaScript Date first, dropping its microseconds, and the
 * run would read the last row of every page again.
 */
const CURSOR_PARAMETER = {
  time: '($1::text)::timestamptz',
  number: '($1::text)::numeric',
  text: '($1::text)',
} as const;

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
  const cursor = CURSOR_PARAMETER[options.cursorType];
  const inner = options.query.trim().replace(/;+$/, '').replaceAll('$cursor', cursor);
  const select = `select s.*, to_json(s.${column}) #>> '{}' as ${CURSOR_COLUMN} from (${inner}) as s`;
  const after = `${select} where s.${column} > ${cursor} order by s.${column} limit ${options.pageSize}`;
  // Every row of one cursor value, for a page that holds nothing else (see pageOf).
  const at = `${select} where s.${column} > ${cursor} and s.${column} <= ${cursor.replace('$1', '$2')} order by s.${column}`;
  const query = async (statement: string, params: string[]) => {
    try {
      return [...(await sql.unsafe<Record<string, unknown>[]>(statement, params))];
    } catch (error) {
      throw new SourceFailure(`the source query failed: ${sourceErrorText(error)}`);
    }
  };
  return {
    async read(from: string): Promise<SourcePage> {
      const rows = await query(after, [from]);
      const page = pageOf(rows, options.pageSize);
      if (page !== 'one value') return page;
      const value = String(rows[0]![CURSOR_COLUMN]);
      const all = await query(at, [from, value]);
      return { rows: all, cursors: all.map(() => value), nextCursor: value, more: true };
    },
    async close() {
      await sql.end({ timeout: 5 }).catch(() => undefined);
    },
  };
}

/**
 * A full page may end inside a run of rows sharing one cursor value; reading on from that value
 * would skip the rest of them. So a full page ends before its last value, and those rows come
 * first in the next page. A page holding nothing but one value cannot end anywhere: the reader
 * then reads every row of that value as one page, larger than the others.
 */
export function pageOf(
  rows: Record<string, unknown>[],
  pageSize: number,
): SourcePage | 'one value' {
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
    if (kept.length === 0) return 'one value';
  }
  const cursors = kept.map(cursorOf);
  return { rows: kept, cursors, nextCursor: cursors[cursors.length - 1]!, more: full };
}

/**
 * What failed, without values: Postgres's own answer through describeFailure (its SQLSTATE, and
 * its message with quoted values left out), a socket's error by its code (ECONNREFUSED). Told
 * apart by shape, since a socket error may come from another realm than this module's Error.
 */
function sourceErrorText(error: unknown): string {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  if (typeof severity === 'string') return describeFailure(error);
  if (typeof code === 'string') return `the connection failed (${code})`;
  return describeFailure(error);
}
