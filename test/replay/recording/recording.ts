import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Worker } from '@temporalio/worker';
import { customers, deviceTokens } from '../../../src/db/schema';
import type { Database } from '../../../src/db/database';
import type { CapRule } from '../../../src/guardrails/cap-rules';
import type { JourneyEvent, JsonObject } from '../../../src/journeys/run-types';
import { stateQuery, type JourneyRunView } from '../../../src/workflows/messages';
import type { ChannelPeers } from '../../support/channel-peers';

const { EventType } = temporal.api.enums.v1;
export { EventType };

/** What a scenario gets: a Temporal server of its own, the shared database and provider peers. */
export interface Recording {
  client: Client;
  taskQueue: string;
  db: Database;
  peers: ChannelPeers;
  /** Moves the server's clock on (time-skipping server only; real time elsewhere). */
  sleep(ms: number): Promise<void>;
  /** A real journey worker (real activities, every channel at its peer); a Worker runs once. */
  worker(options?: { caps?: CapRule[] }): Promise<Worker>;
}

/** A run the scenario brought to the state its history stands for. */
export interface RecordedRun {
  file: string;
  journey: string;
  state: string;
  handle: WorkflowHandle;
  /** The run to record when it is not the latest of the workflow id (continue-as-new). */
  runId?: string;
}

export interface Scenario {
  name: string;
  /**
   * time-skipping: multi-day journeys in seconds. continue-as-new: a dev server that suggests
   * continue-as-new after a few dozen history events (real time).
   */
  server: 'time-skipping' | 'continue-as-new';
  /** The instant the time-skipping server's clock is moved to first (for quiet hours). */
  startAt?: string;
  run(recording: Recording): Promise<RecordedRun[]>;
}

/** The history length after which the continue-as-new server suggests continuing as new. */
export const SUGGEST_CONTINUE_AS_NEW_AFTER = 30;

/** An obviously fake customer: ids prefixed replay-, addresses under example.com. */
export async function seedReplayCustomer(
  db: Database,
  id: string,
  options: {
    consent?: { sms?: 'opted_in'; push?: 'opted_in' };
    timeZone?: string;
    attributes?: JsonObject;
    deviceToken?: boolean;
  } = {},
): Promise<void> {
  await db.insert(customers).values({
    id,
    email: `${id}@example.com`,
    phone: '+14155550100',
    consent: options.consent ?? {},
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    attributes: options.attributes ?? { first_name: 'Test' },
  });
  if (options.deviceToken) {
    await db
      .insert(deviceTokens)
      .values({ token: `${id}-device`, customerId: id, platform: 'ios' });
  }
}

let sequence = 0;

export function replayEvent(customerId: string, type: string, properties: JsonObject = {}) {
  sequence += 1;
  return {
    id: `replay-evt-${customerId}-${type}-${sequence}`,
    type,
    customerId,
    occurredAt: new Date().toISOString(),
    properties,
  } satisfies JourneyEvent;
}

/** Re-checks `probe` until it holds; the recorder is a script, so it polls with a deadline. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`recording: ${what} did not happen in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until the run waits at `stepId` (and `also` holds for its view) and its workflow task
 * has completed with the timer: the history then ends where a run in flight would rest.
 */
export async function restingAt(
  handle: WorkflowHandle,
  stepId: string,
  also: (view: JourneyRunView) => boolean = () => true,
): Promise<void> {
  await until(`run resting at ${stepId}`, async () => {
    const view = await handle.query(stateQuery);
    if (view.currentStepId !== stepId || view.waiting === null || !also(view)) return false;
    const events = (await handle.fetchHistory()).events ?? [];
    return events.at(-1)?.eventType === EventType.EVENT_TYPE_TIMER_STARTED;
  });
}
