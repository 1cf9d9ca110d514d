import { setTimeout as sleep } from 'node:timers/promises';
import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
} from '@temporalio/client';

/** There is no schedule of this id (no worker, or no source, has created it yet). */
export class ScheduleMissingError extends Error {
  constructor(readonly scheduleId: string) {
    super('there is no schedule yet: a worker creates it when it starts');
    this.name = 'ScheduleMissingError';
  }
}

export interface TriggeredSchedule {
  scheduleId: string;
  /** The run: the one just started, or the one already running. */
  workflowId: string | null;
  /** false: a run was already going (the schedule skips overlaps), and that one is named. */
  started: boolean;
}

/**
 * Runs a schedule now (as `temporal schedule trigger` does), with the schedule's overlap
 * policy: a run already going is answered instead of a second one. The schedule takes a trigger
 * asynchronously, so its description is read again until the run shows, up to `waitMs`; a run not
 * shown by then is answered with a null workflow id (it still starts).
 */
export async function triggerSchedule(
  client: Client,
  options: { scheduleId: string; waitMs?: number; callTimeoutMs?: number },
): Promise<TriggeredSchedule> {
  const { scheduleId } = options;
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
    if (error instanceof ScheduleNotFoundError) throw new ScheduleMissingError(scheduleId);
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
