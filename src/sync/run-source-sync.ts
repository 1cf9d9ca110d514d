import type { Database } from '../db/database';
import { describeFailure } from '../db/safe-error';
import type { SyncRunIssue } from '../db/schema';
import type { IdentifierKey } from '../privacy/identifier-hash';
import { applyPage } from './apply-page';
import { initialCursor, openReader, type SourceEnv } from './open-reader';
import { validateRow, type SyncedRow } from './row-validation';
import { mapRow } from './source-mapping';
import { SourceFailure, type SourcePage, type SourceReader } from './source-reader';
import { findSource, type StoredSource } from './source-store';
import { finishRun, startRun } from './sync-runs';

export interface SyncDeps {
  db: Database;
  /** Where the sources' secrets are read (the worker's process.env). */
  env: SourceEnv;
  clock: () => Date;
  identifierKey?: IdentifierKey;
  emailMarketingDefault: 'opted_in' | 'opted_out';
  fetch?: typeof fetch;
}

/** What a run answers: ids and counts only, never a row. */
export interface SyncOutcome {
  runId: string;
  status: 'succeeded' | 'failed';
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
}

/** The source does not exist (deleted, or a schedule left behind). */
export class UnknownSourceError extends Error {
  constructor() {
    super('no source has this id');
    this.name = 'UnknownSourceError';
  }
}

/** The run failed because its source did; `runId`'s row says why. */
export class SourceSyncFailed extends Error {
  constructor(
    readonly runId: string,
    message: string,
  ) {
    super(message);
    this.name = 'SourceSyncFailed';
  }
}

/**
 * One run of a source: from its cursor, page by page, each page mapped, validated and stored
 * (with the cursor moving in the same commit) before the next is read. When the source fails,
 * the run is recorded as failed with what went wrong and SourceSyncFailed is thrown: pages stored
 * before stay, the cursor stays after the last of them, and the next run resumes from there. A
 * failure of Cairn's own database is thrown as it is (the caller retries: nothing was recorded).
 */
export async function runSourceSync(
  deps: SyncDeps,
  input: { sourceId: string; workflowId: string | null; attempt: number },
): Promise<SyncOutcome> {
  const source = await findSource(deps.db, input.sourceId);
  if (!source) throw new UnknownSourceError();
  const cursorBefore = source.cursor ?? initialCursor(source.config.cursor);
  const runId = await startRun(
    deps.db,
    { ...input, sourceVersion: source.version, cursor: source.cursor },
    deps.clock(),
  );
  const totals = { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };
  let newest: Date | null = null;
  let reader: SourceReader | null = null;
  try {
    reader = openReader(source.config, deps.env, deps.fetch);
    let cursor = cursorBefore;
    for (;;) {
      const page = await reader.read(cursor);
      if (page.rows.length === 0 || page.nextCursor === null) break;
      const pageNewest = newestTime(source, page);
      const tally = await applyPage(
        deps.db,
        pageWrite(source, runId, page, totals.rowsRead, pageNewest, deps.clock()),
        deps,
      );
      totals.rowsRead += tally.rowsRead;
      totals.rowsWritten += tally.rowsWritten;
      totals.rowsRejected += tally.rowsRejected;
      if (pageNewest && (!newest || pageNewest > newest)) newest = pageNewest;
      // A source that answers the same cursor again would be read forever: that page was the last.
      if (!page.more || page.nextCursor === cursor) break;
      cursor = page.nextCursor;
    }
  } catch (error) {
    const message =
      error instanceof SourceFailure ? error.message : `the run failed: ${describeFailure(error)}`;
    await finishRun(
      deps.db,
      runId,
      { status: 'failed', error: message, lagMs: lagOf(source, newest, deps.clock()) },
      deps.clock(),
    ).catch(() => undefined);
    if (error instanceof SourceFailure) throw new SourceSyncFailed(runId, message);
    throw error;
  } finally {
    await reader?.close();
  }
  await finishRun(
    deps.db,
    runId,
    { status: 'succeeded', lagMs: lagOf(source, newest, deps.clock()) },
    deps.clock(),
  );
  return { runId, status: 'succeeded', ...totals };
}

function pageWrite(
  source: StoredSource,
  runId: string,
  page: SourcePage,
  rowsBefore: number,
  newestRowAt: Date | null,
  now: Date,
) {
  const rows: SyncedRow[] = [];
  const issues: SyncRunIssue[] = [];
  page.rows.forEach((raw, index) => {
    const checked = validateRow(mapRow(raw, source.config.mapping), rowsBefore + index + 1);
    if ('row' in checked) rows.push(checked.row);
    else issues.push(...checked.issues);
  });
  return {
    runId,
    source: { id: source.id, priority: source.config.priority, conflicts: source.config.conflicts },
    rows,
    issues,
    rowsRead: page.rows.length,
    cursorAfter: page.nextCursor!,
    newestRowAt,
    now,
  };
}

/** The newest row's cursor time of a page, for a source whose cursor is a time. */
function newestTime(source: StoredSource, page: SourcePage): Date | null {
  if (source.config.cursor.type !== 'time') return null;
  let newest: Date | null = null;
  for (const text of page.cursors) {
    const at = text === null ? Number.NaN : Date.parse(text);
    if (!Number.isNaN(at) && (!newest || at > newest.getTime())) newest = new Date(at);
  }
  return newest;
}

/** Now minus the newest row seen (this run's, else the source's so far); null when unknown. */
function lagOf(source: StoredSource, newest: Date | null, now: Date): number | null {
  const latest = newest ?? source.newestRowAt;
  return latest ? Math.max(0, now.getTime() - latest.getTime()) : null;
}
