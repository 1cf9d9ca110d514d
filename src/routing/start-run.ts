import { parseDuration } from '../journeys/durations';
import { eventTypesListenedTo } from '../journeys/listens';
import type { JourneyEvent, RunInput } from '../journeys/run-types';
import type { JourneyDefinition } from '../journeys/schema';
import { journeyWorkflowId } from '../journeys/workflow-id';
import { CURRENT_HISTORY_SHAPE } from '../workflows/history-shape';
import { eventSignal, JOURNEY_WORKFLOW_TYPE } from '../workflows/messages';
import {
  CustomerIdKey,
  JourneyIdKey,
  JourneyStatusKey,
  JourneyVersionKey,
} from '../workflows/search-attributes';
import { reconcileEndedRun } from './reconcile';
import { needsLastEntry, reEntryBlock, type EntryBlock } from './re-entry';
import {
  findRunningRun,
  insertRunningRun,
  markRunEnded,
  readStartView,
  countEntries,
  START_REFUSED,
  recordTemporalRunId,
  type RunRow,
} from './run-registry';
import {
  describeError,
  isTemporalUnavailable,
  isWorkflowNotFound,
  withTemporalDeadline,
} from './temporal-call';
import type { RoutingDeps } from './types';

export interface StartRequest {
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
  customerId: string;
  key: string | null;
  /** The event that starts the run, in the run's input. */
  trigger: JourneyEvent;
  /** A trigger event reaching a running run is signalled to it; an explicit start is not. */
  signalIfRunning: boolean;
}

/** trigger.maxExecutions: the customer's entries so far (within its window) against the limit. */
async function maxExecutionsBlock(
  deps: RoutingDeps,
  request: StartRequest,
): Promise<EntryBlock | null> {
  const max = request.definition.trigger?.maxExecutions;
  if (!max) return null;
  const since = max.within ? new Date(Date.now() - parseDuration(max.within)) : null;
  const entries = await countEntries(deps.db, { ...request, since });
  return entries >= max.limit ? 'max_executions' : null;
}

export type StartOutcome =
  | { kind: 'started'; workflowId: string; runId: string }
  | { kind: 'already_running'; workflowId: string; signalled: boolean }
  | { kind: 'blocked'; workflowId: string; rule: EntryBlock };

/**
 * Starts a journey run for a customer, honouring the re-entry policy. Safe to repeat for the same
 * trigger event: a run this event already registered is (re)started with USE_EXISTING, so a crash
 * between the registry insert and Temporal's answer heals on the next routing attempt.
 */
export async function startJourneyRun(
  deps: RoutingDeps,
  request: StartRequest,
): Promise<StartOutcome> {
  const workflowId = journeyWorkflowId(
    request.journeyId,
    request.customerId,
    request.key ?? undefined,
  );
  const view = await readStartView(deps.db, {
    journeyId: request.journeyId,
    customerId: request.customerId,
    workflowId,
    triggerEventId: request.trigger.id,
    withLastEntry: needsLastEntry(request.definition.reEntry),
  });
  if (view.startedBy) return resumeStart(deps, request, view.startedBy);

  if (view.running) {
    const outcome = await handleRunning(deps, request, view.running);
    if (outcome) return outcome;
  }
  // Reconciling an ended run does not change when it started: the view's last entry holds.
  const block =
    reEntryBlock(request.definition.reEntry, view.lastEntry, new Date()) ??
    (await maxExecutionsBlock(deps, request));
  if (block) return { kind: 'blocked', workflowId, rule: block };

  const row = await insertRunningRun(deps.db, {
    workflowId,
    journeyId: request.journeyId,
    journeyVersion: request.version,
    customerId: request.customerId,
    runKey: request.key,
    listensTo: eventTypesListenedTo(request.definition),
    triggerEventId: request.trigger.id,
  });
  if (!row) {
    // A concurrent start won the partial unique index; treat it like a running run.
    const winner = await findRunningRun(deps.db, workflowId);
    const outcome = winner ? await handleRunning(deps, request, winner) : null;
    return outcome ?? alreadyRunning(workflowId, false);
  }
  return launch(deps, request, row);
}

async function resumeStart(
  deps: RoutingDeps,
  request: StartRequest,
  row: RunRow,
): Promise<StartOutcome> {
  if (row.status !== 'running') return alreadyRunning(row.workflowId, false);
  return launch(deps, { ...request, version: row.journeyVersion }, row);
}

/** Returns null when the "running" run turned out to have ended, so a new one may start. */
async function handleRunning(
  deps: RoutingDeps,
  request: StartRequest,
  row: RunRow,
): Promise<StartOutcome | null> {
  if (!request.signalIfRunning) return alreadyRunning(row.workflowId, false);
  try {
    const handle = deps.temporal.workflow.getHandle(row.workflowId);
    await withTemporalDeadline(deps, () => handle.signal(eventSignal, request.trigger));
    return alreadyRunning(row.workflowId, true);
  } catch (error) {
    if (!isWorkflowNotFound(error)) throw error;
    await reconcileEndedRun(deps, row);
    return null;
  }
}

async function launch(
  deps: RoutingDeps,
  request: StartRequest,
  row: RunRow,
): Promise<StartOutcome> {
  const input: RunInput = {
    definition: request.definition,
    journeyVersion: request.version,
    customerId: request.customerId,
    ...(request.key !== null ? { key: request.key } : {}),
    trigger: request.trigger,
    defaultTimeZone: deps.defaultTimeZone,
    ...(deps.sendPolicy ? { sendPolicy: deps.sendPolicy } : {}),
    ...(deps.defaultSendWindow ? { defaultSendWindow: deps.defaultSendWindow } : {}),
    historyShape: CURRENT_HISTORY_SHAPE,
  };
  // USE_EXISTING: a run this registry row already started (a crash before its run id was
  // recorded) is found again, not started twice. The trigger rides in the input only: runs
  // started with signalWithStart got it as a signal too and drop it by its id.
  const handle = await startOrEndRow(deps, row, () =>
    deps.temporal.workflow.start(JOURNEY_WORKFLOW_TYPE, {
      workflowId: row.workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: CustomerIdKey, value: request.customerId },
        { key: JourneyIdKey, value: request.journeyId },
        { key: JourneyVersionKey, value: request.version },
        { key: JourneyStatusKey, value: 'running' },
      ],
      staticSummary: runSummary(request),
      staticDetails: runDetails(request),
    }),
  );
  await recordTemporalRunId(deps.db, row.id, handle.firstExecutionRunId);
  deps.logger?.info(
    { workflowId: row.workflowId, journeyId: request.journeyId, version: request.version },
    'run started',
  );
  return { kind: 'started', workflowId: row.workflowId, runId: handle.firstExecutionRunId };
}

/**
 * The start call, ending the registry row when Temporal refuses the start (an input over its
 * payload limit, a namespace without Cairn's search attributes): that run will never exist, and a
 * running row would keep the customer out of the journey for good. The trigger's routing then
 * fails once and, on its retry, finds its row ended. When Temporal does not answer the row stays:
 * the start may have happened, and the retry finds it with USE_EXISTING.
 */
async function startOrEndRow<T>(
  deps: RoutingDeps,
  row: RunRow,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await withTemporalDeadline(deps, start);
  } catch (error) {
    if (!isTemporalUnavailable(error)) {
      await markRunEnded(deps.db, row.id, 'failed', START_REFUSED);
      deps.logger?.warn(
        { workflowId: row.workflowId, error: describeError(error) },
        'Temporal refused a run start',
      );
    }
    throw error;
  }
}

function alreadyRunning(workflowId: string, signalled: boolean): StartOutcome {
  return { kind: 'already_running', workflowId, signalled };
}

// Summaries name the journey and the ids only: Temporal's UI must never show PII.
function runSummary(request: StartRequest): string {
  return `${request.definition.name} (v${request.version}) for customer ${request.customerId}`;
}

function runDetails(request: StartRequest): string {
  const lines = [
    `journey: ${request.journeyId} v${request.version}`,
    `customer: ${request.customerId}`,
    `trigger: ${request.trigger.type} (event ${request.trigger.id})`,
    `re-entry: ${request.definition.reEntry.mode}`,
    `steps: ${request.definition.steps.map((s) => s.id).join(' → ')}`,
  ];
  if (request.key !== null) lines.splice(2, 0, `key: ${request.key}`);
  return lines.join('\n');
}
