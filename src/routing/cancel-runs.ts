import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { journeyRuns } from '../db/schema';
import { cancelSignal } from '../workflows/messages';
import { inBoundedBatch } from './bounded';
import { reconcileEndedRun } from './reconcile';
import { findLatestRun, findRunningRun, type RunRow } from './run-registry';
import { isWorkflowNotFound, withTemporalDeadline } from './temporal-call';
import type { RoutingDeps } from './types';

/** Cancel signals in flight at once per bulk cancel. */
export const BULK_CANCEL_CONCURRENCY = 32;

/**
 * cancel_requested: the run ends at its next decision point (a send in flight completes first);
 * not_running: it had ended; not_found: no run has this id; temporal_unavailable: try again.
 */
export type CancelOutcome =
  'cancel_requested' | 'not_running' | 'not_found' | 'temporal_unavailable';

export interface CancelledRun {
  workflowId: string;
  outcome: CancelOutcome;
}

/** POST /v1/runs/:workflowId/cancel: signals the running run with this id, if there is one. */
export async function cancelRun(
  deps: RoutingDeps,
  workflowId: string,
  reason: string | undefined,
): Promise<CancelOutcome> {
  const row = await findRunningRun(deps.db, workflowId);
  if (!row) return (await findLatestRun(deps.db, workflowId)) ? 'not_running' : 'not_found';
  return signalCancel(deps, row, reason);
}

/**
 * Bulk cancel by id: one registry read for the whole list, then the signals, concurrently with
 * a bound. Answers each given id in order (a repeated id is signalled once).
 */
export async function cancelRunsById(
  deps: RoutingDeps,
  workflowIds: readonly string[],
  reason: string | undefined,
  concurrency = BULK_CANCEL_CONCURRENCY,
): Promise<CancelledRun[]> {
  const distinct = [...new Set(workflowIds)];
  const rows = await deps.db
    .select()
    .from(journeyRuns)
    .where(inArray(journeyRuns.workflowId, distinct));
  const running = new Map<string, RunRow>();
  const known = new Set<string>();
  for (const row of rows) {
    known.add(row.workflowId);
    if (row.status === 'running') running.set(row.workflowId, row);
  }
  const signalled = await signalAll(deps, [...running.values()], reason, concurrency);
  const byId = new Map(signalled.map((run) => [run.workflowId, run.outcome]));
  return workflowIds.map((workflowId) => ({
    workflowId,
    outcome: byId.get(workflowId) ?? (known.has(workflowId) ? 'not_running' : 'not_found'),
  }));
}

export interface JourneyCancelPage {
  items: CancelledRun[];
  /** The cursor of the next page (the last workflow id of this one), null after the last page. */
  next: string | null;
}

/**
 * Bulk cancel by journey: one page of the journey's running runs, ordered by workflow id after
 * the cursor. Paged by id, not by status: a cancelled run stays running in the registry until
 * the workflow records its end, so "the next running runs" would find the same page again.
 */
export async function cancelJourneyRunsPage(
  deps: RoutingDeps,
  journeyId: string,
  page: { after?: string; limit: number; reason?: string },
  concurrency = BULK_CANCEL_CONCURRENCY,
): Promise<JourneyCancelPage> {
  const rows = await deps.db
    .select()
    .from(journeyRuns)
    .where(
      and(
        eq(journeyRuns.journeyId, journeyId),
        eq(journeyRuns.status, 'running'),
        page.after === undefined ? undefined : gt(journeyRuns.workflowId, page.after),
      ),
    )
    .orderBy(asc(journeyRuns.workflowId))
    .limit(page.limit);
  const items = await signalAll(deps, rows, page.reason, concurrency);
  const last = rows[rows.length - 1];
  return { items, next: rows.length === page.limit && last ? last.workflowId : null };
}

function signalAll(
  deps: RoutingDeps,
  rows: readonly RunRow[],
  reason: string | undefined,
  concurrency: number,
): Promise<CancelledRun[]> {
  return inBoundedBatch<RunRow, CancelledRun>(
    rows,
    concurrency,
    async (row) => ({ workflowId: row.workflowId, outcome: await signalCancel(deps, row, reason) }),
    {
      halts: (run) => run.outcome === 'temporal_unavailable',
      skipped: (row) => ({ workflowId: row.workflowId, outcome: 'temporal_unavailable' }),
    },
  );
}

async function signalCancel(
  deps: RoutingDeps,
  row: RunRow,
  reason: string | undefined,
): Promise<CancelOutcome> {
  try {
    const handle = deps.temporal.workflow.getHandle(row.workflowId);
    await withTemporalDeadline(deps, () => handle.signal(cancelSignal, reason ? { reason } : {}));
    return 'cancel_requested';
  } catch (error) {
    if (!isWorkflowNotFound(error)) return 'temporal_unavailable';
  }
  try {
    await reconcileEndedRun(deps, row);
  } catch {
    return 'temporal_unavailable';
  }
  return 'not_running';
}
