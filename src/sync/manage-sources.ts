import type { Client } from '@temporalio/client';
import type { SourceConfig, SourceView } from '../contract/sources';
import type { Database } from '../db/database';
import { sourceScheduleId, upsertSourceSchedule } from './source-schedule';
import { findSource, insertSource, replaceSource, type StoredSource } from './source-store';

export interface SourceAdminDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  /** Deadline of each Temporal call. */
  temporalTimeoutMs: number;
}

/**
 * Stores a new source and creates its schedule in one step: the schedule is made inside the
 * transaction that stores the source, so a Temporal that does not answer stores nothing (the
 * caller gets its error). Null: the id is taken.
 */
export async function createSource(
  deps: SourceAdminDeps,
  config: SourceConfig,
): Promise<StoredSource | null> {
  return deps.db.transaction(async (tx) => {
    const source = await insertSource(tx, config);
    if (!source) return null;
    await withDeadline(deps, () => upsertSourceSchedule(deps.temporal, source, deps.taskQueue));
    return source;
  });
}

/**
 * Replaces a source's configuration (its next version) and brings its schedule to it — a new
 * interval, paused when disabled, running again when enabled — in one step as createSource.
 * Null: no such source.
 */
export async function updateSource(
  deps: SourceAdminDeps,
  config: SourceConfig,
): Promise<StoredSource | null> {
  return deps.db.transaction(async (tx) => {
    const before = await findSource(tx, config.id);
    if (!before) return null;
    const source = await replaceSource(tx, config);
    if (!source) return null;
    await withDeadline(deps, () =>
      upsertSourceSchedule(deps.temporal, source, deps.taskQueue, before.enabled),
    );
    return source;
  });
}

export function sourceView(source: StoredSource, taskQueue: string): SourceView {
  return {
    id: source.id,
    version: source.version,
    config: source.config,
    cursor: source.cursor,
    scheduleId: sourceScheduleId(source.id, taskQueue),
    createdAt: source.createdAt.toISOString(),
    updatedAt: source.updatedAt.toISOString(),
  };
}

function withDeadline<T>(deps: SourceAdminDeps, call: () => Promise<T>): Promise<T> {
  return deps.temporal.withDeadline(Date.now() + deps.temporalTimeoutMs, call);
}
