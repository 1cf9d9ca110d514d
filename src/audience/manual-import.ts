import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { postgresClientOf } from '../db/postgres-client';
import { rowsOf } from '../db/rows';
import { BAD_LINES_SHOWN, CsvIdReader, type BadLine, type IdLine } from './csv-ids';
import { SEGMENT_ENTERED, SEGMENT_EXITED } from './dependencies';
import { NotManualSegmentError } from './manual-members';
import { findSegment } from './segment-catalogue';

/**
 * A manual segment's members from a CSV file of ids, a million in well under a minute: the lines
 * stream (never held whole) into a temporary table by COPY, then one set-based statement applies
 * them — entries and exits of segment_memberships, each with its segment_entered /
 * segment_exited event in the outbox, written as recordMembershipEvents writes them (same ids,
 * properties and source) but from the changed rows themselves rather than a list in memory.
 * Unknown customers are reported by line and not stored; a bad line refuses the whole file and
 * nothing is stored (all of it is one transaction).
 *
 * `add` opens the listed members; `remove` closes them; `replace` makes the file the member list:
 * the listed customers enter, every other member exits.
 */

export type ImportMode = 'add' | 'remove' | 'replace';

export interface ImportOutcome {
  /** Lines read, the header and blank lines included. */
  lines: number;
  /** Distinct ids in the file. */
  ids: number;
  entered: number;
  exited: number;
  /** Line numbers of ids naming no customer (the first 100), and how many there were. */
  unknownLines: number[];
  unknownCount: number;
}

/** The file has lines that are not one customer id each (the first 100), or too many lines. */
export class ImportRefusedError extends Error {
  constructor(
    readonly badLines: BadLine[],
    readonly badCount: number,
    readonly tooManyLines: number | null = null,
  ) {
    super(tooManyLines ? `more than ${tooManyLines} lines` : `${badCount} bad lines`);
    this.name = 'ImportRefusedError';
  }
}

/** At most this many lines in one file (a line is at most 1 KiB: a bounded request). */
export const MAX_IMPORT_LINES = 5_000_000;

const INSERT_BATCH = 5_000;

export async function importManualMembers(
  db: Database,
  segmentId: string,
  mode: ImportMode,
  body: AsyncIterable<Uint8Array | string>,
  now: Date,
): Promise<ImportOutcome> {
  const segment = await findSegment(db, segmentId);
  if (!segment) throw new NotManualSegmentError('not_found');
  if (segment.kind !== 'manual') throw new NotManualSegmentError('rule_segment');
  const ref = { id: segment.id, version: segment.activeVersion };
  const reader = new CsvIdReader(MAX_IMPORT_LINES);
  /** Reads the whole file into `load`, then refuses it if a line was bad. */
  const stream = async (load: (ids: IdLine[]) => Promise<void>) => {
    for await (const chunk of body) {
      await load(reader.push(chunk));
      // Past the limit the rest is not read: the request is refused.
      if (reader.tooManyLines) throw new ImportRefusedError([], 0, MAX_IMPORT_LINES);
    }
    await load(reader.end());
    if (reader.badCount > 0) throw new ImportRefusedError(reader.bad, reader.badCount);
  };
  const client = postgresClientOf(db);
  if (client) {
    return client.transaction(async (tx) => {
      await tx.execute(CREATE_IMPORT_TABLE);
      const copy = await tx.copyIn('copy segment_import (line, id) from stdin');
      try {
        await stream((ids) => write(copy, ids));
      } finally {
        // Ended cleanly even when refused: the throw then rolls the transaction back.
        copy.end();
        await once(copy, 'finish');
      }
      await prepareApply(tx.execute);
      return { lines: reader.lines, ...(await applyImport(tx.execute, ref, mode, now)) };
    });
  }
  // Embedded PGlite (npm start) has no COPY from a client stream: batches of inserts instead.
  return db.transaction(async (tx) => {
    const execute = async (query: SQL) => rowsOf<unknown>(await tx.execute(query));
    await execute(CREATE_IMPORT_TABLE);
    await stream(async (ids) => {
      for (let i = 0; i < ids.length; i += INSERT_BATCH) {
        const batch = ids.slice(i, i + INSERT_BATCH);
        await execute(sql`insert into segment_import (line, id)
          select * from unnest(${sql.param(batch.map((l) => l.line))}::int[],
                               ${sql.param(batch.map((l) => l.id))}::text[])`);
      }
    });
    await prepareApply(execute);
    return { lines: reader.lines, ...(await applyImport(execute, ref, mode, now)) };
  });
}

const CREATE_IMPORT_TABLE = sql`create temporary table segment_import (line int not null, id text not null) on commit drop`;

/** COPY text rows: customer ids hold no tab, newline or backslash (csv-ids.ts checks them). */
async function write(copy: Writable, ids: IdLine[]): Promise<void> {
  if (ids.length === 0) return;
  const text = ids.map((l) => `${l.line}\t${l.id}\n`).join('');
  if (!copy.write(text)) await once(copy, 'drain');
}

/**
 * The file's distinct ids, each with its first line and whether it names a customer, in a table
 * of its own with a primary key: the apply then joins it by hash or index, never scanning it per
 * membership (a CTE referenced inside a CASE is a per-row subplan: quadratic on a million ids).
 * With the default 4 MB a million ids sort on disk, and a temporary table has no statistics
 * until it is analysed.
 */
async function prepareApply(execute: (query: SQL) => Promise<unknown>): Promise<void> {
  await execute(sql`set local work_mem = '64MB'`);
  await execute(sql`create temporary table segment_import_ids on commit drop as
    select distinct on (i.id) i.id, i.line, exists (select 1 from customers c where c.id = i.id) as known
      from segment_import i order by i.id, i.line`);
  await execute(sql`alter table segment_import_ids add primary key (id)`);
  await execute(sql`analyze segment_import_ids`);
}

/** The members the mode closes: the listed ones (remove), the unlisted ones (replace), none (add). */
function exitsOf(mode: ImportMode, segmentId: string): SQL {
  const open = sql`m.segment_id = ${segmentId}::text and m.exited_at is null`;
  if (mode === 'remove') {
    return sql`${open} and exists (select 1 from segment_import_ids k where k.known and k.id = m.customer_id)`;
  }
  if (mode === 'replace') {
    return sql`${open} and not exists (select 1 from segment_import_ids k where k.known and k.id = m.customer_id)`;
  }
  return sql`false`;
}

async function applyImport(
  execute: (query: SQL) => Promise<unknown[]>,
  segment: { id: string; version: number },
  mode: ImportMode,
  now: Date,
): Promise<Omit<ImportOutcome, 'lines'>> {
  const at = now.toISOString();
  const rows = await execute(sql`
    with entered as (
      insert into segment_memberships (segment_id, customer_id, version, entered_at, exited_at)
      select ${segment.id}::text, k.id, ${segment.version}::int, ${at}::timestamptz, null
        from segment_import_ids k where k.known and ${mode}::text <> 'remove'
      on conflict (segment_id, customer_id) do update
         set version = excluded.version, entered_at = excluded.entered_at, exited_at = null
       where segment_memberships.exited_at is not null
      returning customer_id
    ),
    exited as (
      update segment_memberships m
         set exited_at = ${at}::timestamptz, version = ${segment.version}::int
       where ${exitsOf(mode, segment.id)}
      returning m.customer_id
    ),
    changes as (
      select customer_id, ${SEGMENT_ENTERED}::text as type from entered
      union all
      select customer_id, ${SEGMENT_EXITED}::text from exited
    ),
    stored as (
      insert into events (id, customer_id, type, occurred_at, received_at, properties, source,
                          next_routing_at)
      select c.type || ':' || ${segment.id}::text || ':' || c.customer_id || ':' || ${now.getTime()}::text,
             c.customer_id, c.type, ${at}::timestamptz, ${at}::timestamptz,
             jsonb_build_object('segment_id', ${segment.id}::text,
                                'segment_version', ${segment.version}::int),
             'segments', ${at}::timestamptz
        from changes c
      on conflict (id) do nothing
      returning 1
    )
    select (select count(*) from segment_import_ids)::int as ids,
           (select count(*) from entered)::int as entered,
           (select count(*) from exited)::int as exited,
           (select count(*) from stored)::int as stored,
           (select count(*) from segment_import_ids where not known)::int as unknown_count,
           (select coalesce(json_agg(u.line order by u.line), '[]'::json)
              from (select line from segment_import_ids where not known
                     order by line limit ${BAD_LINES_SHOWN}) u) as unknown_lines`);
  const [row] = rowsOf<{
    ids: number;
    entered: number;
    exited: number;
    unknown_count: number;
    unknown_lines: number[];
  }>(rows);
  return {
    ids: row?.ids ?? 0,
    entered: row?.entered ?? 0,
    exited: row?.exited ?? 0,
    unknownLines: row?.unknown_lines ?? [],
    unknownCount: row?.unknown_count ?? 0,
  };
}
