import { and, desc, eq, sql } from 'drizzle-orm';
import type { SyncRunView } from '../contract/sources';
import type { Database } from '../db/database';
import { syncRuns, type SyncRunIssue } from '../db/schema';

/** How many rejected rows a run keeps by key and field (its count has them all). */
export const SYNC_ISSUES_KEPT = 100;

export interface PageTally {
  rowsRead: number;
  rowsWritten: number;
  rowsUnchanged: number;
  rowsRejected: number;
  issues: SyncRunIssue[];
  cursorAfter: string;
}

/**
 * Records a run as started. A run of the source still `running` can only be one whose worker
 * stopped mid-run (the schedule never overlaps two), so it is closed as failed first.
 */
export async function startRun(
  db: Database,
  input: {
    sourceId: string;
    sourceVersion: number;
    workflowId: string | null;
    attempt: number;
    cursor: string | null;
  },
  now: Date,
): Promise<string> {
  return db.transaction(async (tx) => {
    await tx
      .update(syncRuns)
      .set({
        status: 'failed',
        finishedAt: now,
        error: 'abandoned: its worker stopped before the run finished',
      })
      .where(and(eq(syncRuns.sourceId, input.sourceId), eq(syncRuns.status, 'running')));
    const [row] = await tx
      .insert(syncRuns)
      .values({
        sourceId: input.sourceId,
        sourceVersion: input.sourceVersion,
        workflowId: input.workflowId,
        attempt: input.attempt,
        status: 'running',
        startedAt: now,
        cursorBefore: input.cursor,
        cursorAfter: input.cursor,
      })
      .returning({ id: syncRuns.id });
    return row!.id;
  });
}

/** Adds a stored page to its run, in the page's transaction: the counts match what committed. */
export async function recordPage(tx: Database, runId: string, page: PageTally): Promise<void> {
  await tx
    .update(syncRuns)
    .set({
      pages: sql`${syncRuns.pages} + 1`,
      rowsRead: sql`${syncRuns.rowsRead} + ${page.rowsRead}`,
      rowsWritten: sql`${syncRuns.rowsWritten} + ${page.rowsWritten}`,
      rowsUnchanged: sql`${syncRuns.rowsUnchanged} + ${page.rowsUnchanged}`,
      rowsRejected: sql`${syncRuns.rowsRejected} + ${page.rowsRejected}`,
      issues: sql`(select coalesce(jsonb_agg(i), '[]'::jsonb) from (
                     select i from jsonb_array_elements(${syncRuns.issues} || ${JSON.stringify(page.issues)}::jsonb)
                     with ordinality as e(i, n) order by n limit ${SYNC_ISSUES_KEPT}) kept)`,
      cursorAfter: page.cursorAfter,
    })
    .where(eq(syncRuns.id, runId));
}

/** Ends a run: succeeded, or failed with a description that holds no value of any row. */
export async function finishRun(
  db: Database,
  runId: string,
  outcome: { status: 'succeeded' | 'failed'; error?: string; lagMs: number | null },
  now: Date,
): Promise<void> {
  await db
    .update(syncRuns)
    .set({
      status: outcome.status,
      error: outcome.error ?? null,
      lagMs: outcome.lagMs,
      finishedAt: now,
    })
    .where(eq(syncRuns.id, runId));
}

export async function listRuns(
  db: Database,
  sourceId: string,
  limit: number,
): Promise<SyncRunView[]> {
  const rows = await db
    .select()
    .from(syncRuns)
    .where(eq(syncRuns.sourceId, sourceId))
    .orderBy(desc(syncRuns.startedAt), desc(syncRuns.attempt))
    .limit(limit);
  return rows.map(runView);
}

/** The newest run a workflow recorded (its last attempt). */
export async function runOfWorkflow(db: Database, workflowId: string): Promise<SyncRunView | null> {
  const [row] = await db
    .select()
    .from(syncRuns)
    .where(eq(syncRuns.workflowId, workflowId))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return row ? runView(row) : null;
}

function runView(row: typeof syncRuns.$inferSelect): SyncRunView {
  return {
    ...row,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
