import {
  ScheduleAlreadyRunning,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
} from '@temporalio/client';

type ScheduleParts = Pick<ScheduleOptions, 'spec' | 'action' | 'policies'>;
type ScheduleState = ScheduleDescription['state'];

/**
 * Creates a schedule, or brings an existing one to these parts: what every worker does as it
 * starts, so it is idempotent, and two processes doing it at once end in one schedule. A new one
 * gets `created` as its state; an existing one keeps its state (an operator's pause) unless
 * `updated` says otherwise.
 */
export async function upsertSchedule(
  client: Client,
  scheduleId: string,
  parts: ScheduleParts,
  states: {
    created?: ScheduleOptions['state'];
    updated?: (previous: ScheduleState) => ScheduleState;
  } = {},
): Promise<{ scheduleId: string; created: boolean }> {
  try {
    await client.schedule.create({
      scheduleId,
      ...parts,
      ...(states.created ? { state: states.created } : {}),
    });
    return { scheduleId, created: true };
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const next = states.updated ?? ((previous: ScheduleState) => previous);
  await client.schedule
    .getHandle(scheduleId)
    .update((previous: ScheduleDescription) => ({ ...parts, state: next(previous.state) }));
  return { scheduleId, created: false };
}
