import { CURRENT_HISTORY_SHAPE } from '../../../src/workflows/history-shape';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Worker } from '@temporalio/worker';
import { customers, deviceTokens } from '../../../src/db/schema';
import type { Database } from '../../../src/db/database';
import type { CapRule } from '../../../src/guardrails/cap-rules';
import type { JourneyEvent, JsonObject } from '../../../src/journeys/run-types';
import type { JourneyDefinition } from '../../../src/journeys/schema';
import { journeyWorkflowId } from '../../../src/journeys/workflow-id';
import { journeyWorkflow, type JourneyWorkflowInput } from '../../../src/workflows/journey';
import { stateQuery, type JourneyRunView } from '../../../src/workflows/messages';
import {
  CustomerIdKey,
  JourneyIdKey,
  JourneyStatusKey,
  JourneyVersionKey,
} from '../../../src/workflows/search-attributes';
import type { ChannelPeers } from '../../support/channel-peers';

const { EventType } = temporal.api.enums.v1;
export { EventType };

const TIMER_EVENTS = new Set<number>([
  EventType.EVENT_TYPE_TIMER_STARTED,
  EventType.EVENT_TYPE_TIMER_FIRED,
  EventType.EVENT_TYPE_TIMER_CANCELED,
]);

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

export interface ReplayCustomer {
  consent?: { sms?: 'opted_in'; push?: 'opted_in' };
  timeZone?: string;
  attributes?: JsonObject;
  deviceToken?: boolean;
}

/** An obviously fake customer: ids prefixed replay-, addresses under example.com. */
export async function seedReplayCustomer(
  db: Database,
  id: string,
  options: ReplayCustomer = {},
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
  stepId: string | null,
  also: (view: JourneyRunView) => boolean = () => true,
): Promise<void> {
  await until(`run resting at ${stepId}`, async () => {
    const view = await handle.query(stateQuery);
    if (view.currentStepId !== stepId || view.waiting === null || !also(view)) return false;
    const types = ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
    const timers = types.filter((t) => t !== null && t !== undefined && TIMER_EVENTS.has(t));
    // At rest: no workflow task or activity under way, and the last timer still running. (The
    // time-skipping server may add an empty workflow task after a query.)
    return (
      timers.at(-1) === EventType.EVENT_TYPE_TIMER_STARTED &&
      (types.at(-1) === EventType.EVENT_TYPE_TIMER_STARTED ||
        types.at(-1) === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    );
  });
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/**
 * The file a scenario's history is recorded to, by the history shape of the runs it starts
 * (src/workflows/history-shape.ts): `-v3` for runs that name the current shape in their input.
 * Histories of older shapes keep their names and stand for runs in flight with those shapes:
 * `-v2` (the lean-run-history patch) and no suffix (before it).
 */
export function historyFile(name: string): string {
  return `${name}-v${CURRENT_HISTORY_SHAPE}.json`;
}

/** The search attributes routing starts a run with (src/routing/start-run.ts). */
export function routedSearchAttributes(definition: JourneyDefinition, customerId: string) {
  return [
    { key: CustomerIdKey, value: customerId },
    { key: JourneyIdKey, value: definition.id },
    { key: JourneyVersionKey, value: 1 },
    { key: JourneyStatusKey, value: 'running' },
  ];
}

/**
 * Starts a run of `definition` as routing would, with the workflow id and search attributes
 * routing would give it.
 */
export function startJourney(
  recording: Recording,
  definition: JourneyDefinition,
  customerId: string,
  options: Partial<JourneyWorkflowInput> & { trigger?: JourneyEvent } = {},
) {
  return recording.client.workflow.start(journeyWorkflow, {
    taskQueue: recording.taskQueue,
    workflowId: journeyWorkflowId(definition.id, customerId, options.key),
    typedSearchAttributes: routedSearchAttributes(definition, customerId),
    args: [
      {
        definition,
        journeyVersion: 1,
        customerId,
        defaultTimeZone: 'UTC',
        historyShape: CURRENT_HISTORY_SHAPE,
        ...options,
      },
    ],
  });
}

/** A cart worth 80 (over the abandoned-cart SMS threshold of 50). */
export const cartAbandoned = (customerId: string) =>
  replayEvent(customerId, 'cart_abandoned', {
    cart_id: 'cart-r1',
    cart_value: 80,
    cart_items: [{ name: 'Test lamp', price: 80 }],
  });

/**
 * Most scenarios are one customer and one run on the time-skipping server, recorded as
 * `<name>-v3.json` (historyFile): `drive` starts the run and brings it to its state while a worker runs.
 */
export function oneRunScenario(options: {
  name: string;
  startAt?: string;
  customerId: string;
  customer?: ReplayCustomer;
  caps?: CapRule[];
  journey: string;
  state: string;
  drive: (recording: Recording, customerId: string) => Promise<WorkflowHandle>;
}): Scenario {
  const { name, customerId, caps } = options;
  return {
    name,
    server: 'time-skipping',
    ...(options.startAt ? { startAt: options.startAt } : {}),
    async run(recording) {
      await seedReplayCustomer(recording.db, customerId, options.customer);
      const worker = await recording.worker(caps ? { caps } : undefined);
      const handle = await worker.runUntil(() => options.drive(recording, customerId));
      return [{ file: historyFile(name), journey: options.journey, state: options.state, handle }];
    },
  };
}
