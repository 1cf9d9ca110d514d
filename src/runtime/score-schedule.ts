import {
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { loadScoreCatalogue } from '../audience/score-catalogue';
import type { Database } from '../db/database';
import { SCORE_RECOMPUTE_WORKFLOW_TYPE } from '../workflows/messages';
import type { scoreRecomputeWorkflow } from '../workflows/score-recompute';
import { triggerSchedule, type TriggeredSchedule } from './trigger-schedule';
import { upsertSchedule } from './upsert-schedule';

/**
 * The Temporal Schedules that recompute scores (RFM: src/audience/rfm-recompute.ts), one per
 * score and task queue. The task queue is in the id because workers of one namespace may serve
 * several queues (every test file has its own), and a schedule must start its workflow on the
 * queue of the workers that created it.
 */
export function scoreScheduleId(scoreId: string, taskQueue: string): string {
  return `cairn-score-recompute:${scoreId}:${taskQueue}`;
}

/** The id of the schedule's runs: Temporal appends each run's scheduled time to it. */
export function scoreWorkflowIdPrefix(scoreId: string, taskQueue: string): string {
  return `score-recompute:${scoreId}:${taskQueue}`;
}

export const DEFAULT_SCORE_INTERVAL_MS = 24 * 3_600_000;

export interface ScoreScheduleOptions {
  taskQueue: string;
  /** How often the recompute runs (CAIRN_SCORE_RECOMPUTE_INTERVAL); default a day. */
  intervalMs?: number;
}

type Action = ScheduleOptionsStartWorkflowAction<typeof scoreRecomputeWorkflow>;

function scheduleParts(scoreId: string, options: ScoreScheduleOptions) {
  const every = options.intervalMs ?? DEFAULT_SCORE_INTERVAL_MS;
  const spec: ScheduleSpec = { intervals: [{ every }] };
  const action: Action = {
    type: 'startWorkflow',
    workflowType: SCORE_RECOMPUTE_WORKFLOW_TYPE,
    taskQueue: options.taskQueue,
    workflowId: scoreWorkflowIdPrefix(scoreId, options.taskQueue),
    args: [{ scoreId }],
  };
  // Skip, never queue: a recompute reads everything, so one started while another runs would
  // only repeat it. A run missed while Temporal was away is taken within one interval.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: every };
  return { spec, action, policies };
}

/**
 * Creates each recomputed score's schedule, or brings an existing one to this process's
 * interval and action (as a worker starts: every worker may, so it is idempotent, and two
 * creating at once end in one schedule). A new schedule runs once at once, so a first deploy
 * has scores without waiting a day; an update keeps the schedule's state (an operator's pause).
 * The scores are the catalogue's RFM scores, built-in or published: one published since the
 * workers started gets its schedule when a worker next starts.
 */
export async function ensureScoreSchedules(
  client: Client,
  db: Database,
  options: ScoreScheduleOptions,
): Promise<{ scheduleId: string; created: boolean }[]> {
  const results: { scheduleId: string; created: boolean }[] = [];
  for (const score of (await loadScoreCatalogue(db)).rfm()) {
    results.push(await ensureScoreSchedule(client, score.id, options));
  }
  return results;
}

/**
 * One score's schedule, created or brought up to date (ensureScoreSchedules): also what
 * publishing an rfm score does, so it is recomputed without waiting for a worker to start.
 */
export async function ensureScoreSchedule(
  client: Client,
  scoreId: string,
  options: ScoreScheduleOptions,
): Promise<{ scheduleId: string; created: boolean }> {
  return upsertSchedule(
    client,
    scoreScheduleId(scoreId, options.taskQueue),
    scheduleParts(scoreId, options),
    {
      created: { triggerImmediately: true },
    },
  );
}

export { ScheduleMissingError as ScoreScheduleMissingError } from './trigger-schedule';
export type { TriggeredSchedule as TriggeredRecompute } from './trigger-schedule';

/** Runs a score's schedule now (see triggerSchedule): the run started, or the one going. */
export function triggerScoreRecompute(
  client: Client,
  options: { scoreId: string; taskQueue: string; waitMs?: number; callTimeoutMs?: number },
): Promise<TriggeredSchedule> {
  return triggerSchedule(client, {
    scheduleId: scoreScheduleId(options.scoreId, options.taskQueue),
    ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
    ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
  });
}
