import { ScheduleOverlapPolicy, type Client, type ScheduleDescription } from '@temporalio/client';
import { intervalMs } from '../contract/sources';
import type { Database } from '../db/database';
import { SOURCE_SYNC_WORKFLOW_TYPE } from '../workflows/source-sync-names';
import { upsertSchedule } from '../runtime/upsert-schedule';
import { listSources, type StoredSource } from './source-store';

/**
 * The Temporal Schedule of each source, one per source and task queue (as the score schedules:
 * src/runtime/score-schedule.ts), so its workflow starts on the queue of the workers that serve
 * it. An enabled source's schedule runs; a disabled one's is paused, with the reason in its note.
 */
export function sourceScheduleId(sourceId: string, taskQueue: string): string {
  return `cairn-source-sync:${sourceId}:${taskQueue}`;
}

/** The id of the schedule's runs: Temporal appends each run's scheduled time to it. */
export function sourceWorkflowIdPrefix(sourceId: string, taskQueue: string): string {
  return `source-sync:${sourceId}:${taskQueue}`;
}

export const DISABLED_NOTE = 'source disabled (enabled: false)';

function scheduleParts(source: Pick<StoredSource, 'id' | 'config'>, taskQueue: string) {
  const every = intervalMs(source.config.interval);
  return {
    spec: { intervals: [{ every }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: SOURCE_SYNC_WORKFLOW_TYPE,
      taskQueue,
      workflowId: sourceWorkflowIdPrefix(source.id, taskQueue),
      args: [{ sourceId: source.id }],
    },
    // Skip, never queue: two runs of a source would read the same cursor at once. A run missed
    // while Temporal was away is taken within one interval.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: every },
  };
}

/**
 * Creates a source's schedule or brings it to the source's configuration: its interval, and
 * paused exactly when the source is disabled (an operator's pause of an enabled source survives
 * an update that changes nothing about `enabled`, as the score schedules keep theirs).
 */
export async function upsertSourceSchedule(
  client: Client,
  source: Pick<StoredSource, 'id' | 'config' | 'enabled'>,
  taskQueue: string,
  previouslyEnabled?: boolean,
): Promise<{ scheduleId: string; created: boolean }> {
  return upsertSchedule(
    client,
    sourceScheduleId(source.id, taskQueue),
    scheduleParts(source, taskQueue),
    {
      created: source.enabled ? {} : { paused: true, note: DISABLED_NOTE },
      updated: (previous) => nextState(previous, source.enabled, previouslyEnabled),
    },
  );
}

function nextState(
  state: ScheduleDescription['state'],
  enabled: boolean,
  previouslyEnabled: boolean | undefined,
): ScheduleDescription['state'] {
  if (!enabled) return { ...state, paused: true, note: DISABLED_NOTE };
  // Enabled again, or paused only because it was disabled: it runs. Paused by hand: it stays.
  if (previouslyEnabled === false || state.note === DISABLED_NOTE) {
    return { ...state, paused: false, note: 'source enabled' };
  }
  return state;
}

/**
 * Every stored source's schedule, as a worker starts (like ensureScoreSchedules): a schedule
 * lost or never made (Temporal reset, a source stored while it was away) is made again.
 */
export async function ensureSourceSchedules(
  client: Client,
  db: Database,
  taskQueue: string,
): Promise<{ scheduleId: string; created: boolean }[]> {
  const results = [];
  for (const source of await listSources(db)) {
    results.push(await upsertSourceSchedule(client, source, taskQueue));
  }
  return results;
}
