/** Source sync: external sources pulled on Temporal Schedules into customer profiles. */
export {
  runSourceSync,
  SourceSyncFailed,
  UnknownSourceError,
  type SyncOutcome,
} from './run-source-sync';
export {
  findSource,
  insertSource,
  listSources,
  replaceSource,
  type StoredSource,
} from './source-store';
export { listRuns, runOfWorkflow } from './sync-runs';
export { customerSyncSources, eraseFieldSources } from './field-provenance';
export {
  ensureSourceSchedules,
  sourceScheduleId,
  sourceWorkflowIdPrefix,
  upsertSourceSchedule,
} from './source-schedule';
export { createSource, sourceView, updateSource, type SourceAdminDeps } from './manage-sources';
export { runSourceNow, SourceNotRunnable } from './run-now';
