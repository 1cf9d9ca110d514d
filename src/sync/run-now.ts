import { setTimeout as sleep } from 'node:timers/promises';
import type { SyncRunStarted } from '../contract/sources';
import { ScheduleMissingError, triggerSchedule } from '../runtime/trigger-schedule';
import type { SourceAdminDeps } from './manage-sources';
import { sourceScheduleId, upsertSourceSchedule } from './source-schedule';
import { findSource } from './source-store';
import { runOfWorkflow } from './sync-runs';

/** Why a source cannot run now. */
export class SourceNotRunnable extends Error {
  constructor(readonly reason: 'source_not_found' | 'source_disabled') {
    super(
      reason === 'source_not_found'
        ? 'no source has this id'
        : 'the source is disabled: enable it to run it',
    );
    this.name = 'SourceNotRunnable';
  }
}

/**
 * Runs a source now through its schedule (as `temporal schedule trigger` does), so the
 * schedule's overlap policy holds: a run already going is named instead of a second one started.
 * A schedule that is missing (Temporal reset since) is made again first. Waits up to `waitMs` for
 * the run to finish and answers it as recorded; null while it still runs.
 */
export async function runSourceNow(
  deps: SourceAdminDeps,
  sourceId: string,
  waitMs: number,
): Promise<SyncRunStarted> {
  const source = await findSource(deps.db, sourceId);
  if (!source) throw new SourceNotRunnable('source_not_found');
  if (!source.enabled) throw new SourceNotRunnable('source_disabled');
  const options = {
    scheduleId: sourceScheduleId(sourceId, deps.taskQueue),
    callTimeoutMs: deps.temporalTimeoutMs,
  };
  const triggered = await triggerSchedule(deps.temporal, options).catch(async (error: unknown) => {
    if (!(error instanceof ScheduleMissingError)) throw error;
    await deps.temporal.withDeadline(Date.now() + deps.temporalTimeoutMs, () =>
      upsertSourceSchedule(deps.temporal, source, deps.taskQueue),
    );
    return triggerSchedule(deps.temporal, options);
  });
  if (!triggered.workflowId) return { ...triggered, run: null };
  // A failed run fails its workflow (SourceSyncFailed): either way the run row says what happened.
  const finished = deps.temporal.workflow
    .getHandle(triggered.workflowId)
    .result()
    .catch(() => undefined);
  const waited = new AbortController();
  await Promise.race([
    finished,
    sleep(waitMs, undefined, { signal: waited.signal }).catch(() => undefined),
  ]);
  waited.abort();
  return { ...triggered, run: await runOfWorkflow(deps.db, triggered.workflowId) };
}
