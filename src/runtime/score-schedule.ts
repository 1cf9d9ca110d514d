import { setTimeout as sleep } from 'node:timers/promises';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { rfmScores } from '../scores';
import { SCORE_RECOMPUTE_WORKFLOW_TYPE } from '../workflows/messages';
import type { scoreRecomputeWorkflow } from '../workflows/score-recompute';

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
 */
export async function ensureScoreSchedules(
  client: Client,
  options: ScoreScheduleOptions,
): Promise<{ scheduleId: string; created: boolean }[]> {
  const results: { scheduleId: string; created: boolean }[] = [];
  for (const score of rfmScores()) {
    const scheduleId = scoreScheduleId(score.id, options.taskQueue);
    const parts = scheduleParts(score.id, options);
    try {
      await client.schedule.create({ scheduleId, ...parts, state: { triggerImmediately: true } });
      results.push({ scheduleId, created: true });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule
        .getHandle(scheduleId)
        .update<typeof scoreRecomputeWorkflow>((previous) => ({ ...parts, state: previous.state }));
      results.push({ scheduleId, created: false });
    }
  }
  return results;
}

/** There is no schedule for this score and task queue (no worker has started yet). */
export class ScoreScheduleMissingError extends Error {
  constructor(readonly scheduleId: string) {
    super('the score has no schedule yet: a worker creates it when it starts');
    this.name = 'ScoreScheduleMissingError';
  }
}

export interface TriggeredRecompute {
  scheduleId: string;
  /** The run that recomputes: the one just started, or the one already running. */
  workflowId: string | null;
  /** false: a run was already going (the schedule skips overlaps), and that one is named. */
  started: boolean;
}

/**
 * Runs a score's schedule now (as `temporal schedule trigger` does), with the schedule's overlap
 * policy: a run already going is answered instead of a second one. The schedule takes a trigger
 * asynchronously, so its description is read again until the run shows, up to `waitMs`; a run not
 * shown by then is answered with a null workflow id (it still starts).
 */
export async function triggerScoreRecompute(
  client: Client,
  options: { scoreId: string; taskQueue: string; waitMs?: number; callTimeoutMs?: number },
): Promise<TriggeredRecompute> {
  const scheduleId = scoreScheduleId(options.scoreId, options.taskQueue);
  const handle = client.schedule.getHandle(scheduleId);
  // Each call has a deadline of its own: an unreachable server fails the first one quickly.
  const call = <T>(fn: () => Promise<T>) =>
    client.withDeadline(Date.now() + (options.callTimeoutMs ?? 5_000), fn);
  const before = await call(() => describeOrMissing(() => handle.describe(), scheduleId));
  const running = before.info.runningActions.at(-1);
  if (running) return { scheduleId, workflowId: running.workflow.workflowId, started: false };
  await afterSecondOf(before.info.recentActions.at(-1)?.takenAt);
  await call(() => handle.trigger(ScheduleOverlapPolicy.SKIP));
  const deadline = Date.now() + (options.waitMs ?? 5_000);
  for (;;) {
    const now = await call(() => handle.describe());
    const taken = newestAction(now, before);
    if (taken) return { scheduleId, ...taken };
    if (Date.now() >= deadline) return { scheduleId, workflowId: null, started: true };
    await sleep(100);
  }
}

/**
 * Temporal names a schedule's run by its workflow id and its time to the second, so a trigger in
 * the same second as the previous action would name the same run, and nothing starts (a worker's
 * first run, taken as it creates the schedule, and a trigger right after it did this). Waits for
 * the next second (by this clock, with a margin) when the last action was that recent.
 */
async function afterSecondOf(lastTakenAt: Date | undefined): Promise<void> {
  if (!lastTakenAt) return;
  const wait = (Math.floor(lastTakenAt.getTime() / 1_000) + 1) * 1_000 + 100 - Date.now();
  if (wait > 0) await sleep(wait);
}

async function describeOrMissing(
  describe: () => Promise<ScheduleDescription>,
  scheduleId: string,
): Promise<ScheduleDescription> {
  try {
    return await describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new ScoreScheduleMissingError(scheduleId);
    throw error;
  }
}

/**
 * The run the trigger started; or, when the trigger was skipped because a run started in the
 * meantime (by the interval, or another caller), that run, which may be over already.
 */
function newestAction(
  now: ScheduleDescription,
  before: ScheduleDescription,
): { workflowId: string; started: boolean } | null {
  const latest = now.info.recentActions.at(-1)?.action.workflow.workflowId;
  if (latest && now.info.numActionsTaken > before.info.numActionsTaken) {
    return { workflowId: latest, started: true };
  }
  const running = now.info.runningActions.at(-1)?.workflow.workflowId;
  if (running) return { workflowId: running, started: false };
  if (latest && now.info.numActionsSkippedOverlap > before.info.numActionsSkippedOverlap) {
    return { workflowId: latest, started: false };
  }
  return null;
}
