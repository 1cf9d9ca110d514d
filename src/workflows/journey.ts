import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  ContinueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  TemporalFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { JourneyActivities, RunFinishedRequest } from '../activities';
import { advance, startRun } from '../journeys/interpreter';
import type {
  Command,
  Input,
  JourneyEvent,
  JsonObject,
  JsonValue,
  RunInput,
  RunState,
  SendOutcome,
  SendPolicy,
  Transition,
} from '../journeys/run-types';
import { cancelSignal, eventSignal, stateQuery, type JourneyRunView } from './messages';
import { describeCommand } from './describe-command';
import { dataActivities, dataCall } from './data-activities';
import {
  failedRunsFailTheWorkflow,
  finishReportedBySink,
  hasLocalDataActivities,
  recordsHeldMessages,
  historyShapeOf,
  profileAtEntry,
  type HistoryShape,
} from './history-shape';
import { deliveryKeyOf, deliveryKeyPrefix } from './delivery-key';
import { recordHold } from './held-messages';
import { reportRunFinished } from './run-finished-sink';
import { runProgress, type RunProgress } from './run-progress';
import { codeErrorOf, decidedFailureOf, interpret } from './run-failure';

export interface JourneyWorkflowInput extends RunInput {
  /** Set by continue-as-new: the run carries on from here instead of entering again. */
  resume?: { transition: Transition; inbox: JourneyEvent[] };
}

export interface JourneyWorkflowResult {
  status: RunState['status'];
  finishReason: RunState['finishReason'];
  steps: number;
}

// A provider outage makes the send wait and retry visibly; after the limit the step records a
// failure and the journey goes on rather than failing the whole run.
// The send heartbeats (src/activities/heartbeat.ts): a worker that dies mid-send is noticed
// within the heartbeat timeout and the send retried at once, not after the 2 minutes.
const deliveryOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
  },
} as const;

const delivery = proxyActivities<JourneyActivities>(deliveryOptions);

/**
 * One customer's run through one journey version. The pure interpreter decides every step; this
 * function only carries out its commands with durable timers, activities and signals.
 */
export async function journeyWorkflow(input: JourneyWorkflowInput): Promise<JourneyWorkflowResult> {
  const { definition } = input;
  const inbox: JourneyEvent[] = [...(input.resume?.inbox ?? [])];
  // Held in an object: signal handlers assign it between awaits.
  const requests: { cancel: { reason?: string } | null } = { cancel: null };
  // Asked once, first: the run keeps the history shape it started with until it ends.
  const shape = historyShapeOf(input);
  const lean = hasLocalDataActivities(shape);
  const progress = runProgress(shape);
  // Held messages already on the ledger: a wait that goes on after a signal holds the same one.
  const held = new Set<string>();
  let transition: Transition;
  try {
    transition =
      input.resume?.transition ??
      interpret(() => startRun(input, Date.now(), profileAtEntry(shape)));
  } catch (error) {
    throw await endedByError(error, null, shape, progress);
  }

  setHandler(eventSignal, (event) => void inbox.push(event));
  setHandler(cancelSignal, (request) => void (requests.cancel = request));
  setHandler(stateQuery, () => viewOf(transition));

  const feed = (next: Input) =>
    (transition = interpret(() => advance(definition, transition.state, next)));
  let steps = 0;
  try {
    for (;;) {
      while (inbox.length > 0 && transition.command.kind !== 'finish') {
        feed({ kind: 'event', now: Date.now(), event: inbox.shift()! });
      }
      // Right after the inbox is drained and before a cancel, as before it was a command, so
      // recorded histories replay: the same activity at the same point.
      if (transition.command.kind === 'record_conversion') {
        feed(await recordConversion(input, transition.state, transition.command, lean));
        continue;
      }
      if (requests.cancel && transition.command.kind !== 'finish') {
        feed({ kind: 'cancel', now: Date.now(), reason: requests.cancel.reason });
      }
      const command = transition.command;
      progress.update(transition);
      if (command.kind === 'finish') break;
      progress.beforeCommand(command.kind);
      if (command.kind === 'wait' && workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof journeyWorkflow>({
          ...input,
          resume: { transition, inbox },
        });
      }
      steps += 1;
      if (command.kind === 'wait' && command.hold && recordsHeldMessages(shape)) {
        await recordHold(input, transition.state, command.hold, command.until, held);
      }
      const result = await execute(
        command,
        input,
        transition.state,
        () => inbox.length > 0 || requests.cancel !== null,
        lean,
      );
      if (result) feed(result);
    }
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    throw await endedByError(error, transition.state, shape, progress);
  }
  const { state } = transition;
  progress.flush();
  await recordFinish(
    shape,
    {
      workflowId: workflowInfo().workflowId,
      status: state.status,
      finishReason: state.finishReason ?? 'completed',
      trace: state.trace as unknown as JsonValue[],
    },
    input.customerId,
  );
  // A run the interpreter ended as failed (no valid time zone, a zero-time loop) shows as failed
  // in Temporal too. Runs that completed that way before this change keep their completion.
  const failure = state.status === 'failed' ? decidedFailureOf(state) : null;
  if (failure && failedRunsFailTheWorkflow(shape)) throw failure;
  return { status: state.status, finishReason: state.finishReason, steps };
}

/**
 * Records in the runs registry how the run ended on an error, and returns what to throw. An
 * error of the pure journey code (a step that does not exist, corrupt state) or of this driver
 * would fail every retry of the workflow task the same way, so it fails the run, non-retryable,
 * naming the reason; Temporal's own failures (a non-retryable activity failure, a cancellation)
 * end it as they are.
 */
async function endedByError(
  error: unknown,
  state: RunState | null,
  shape: HistoryShape,
  progress: RunProgress,
): Promise<unknown> {
  const cancelled = isCancellation(error);
  const codeError =
    cancelled || error instanceof TemporalFailure ? null : codeErrorOf(error, state);
  const trace = [...(state?.trace ?? []), ...(codeError ? [codeError.decision] : [])];
  progress.flush();
  await CancellationScope.nonCancellable(() =>
    recordFinish(
      shape,
      {
        workflowId: workflowInfo().workflowId,
        status: cancelled ? 'cancelled' : 'failed',
        finishReason: cancelled ? 'cancelled' : (codeError?.reason ?? 'error'),
        trace: trace as unknown as JsonValue[],
      },
      state?.customerId ?? null,
    ),
  );
  // Before this change the plain error went on to fail the workflow task on every attempt.
  if (codeError && failedRunsFailTheWorkflow(shape)) return codeError.failure;
  return error;
}

/** Reports the run's end to the runs registry, the way the run's history shape does it. */
async function recordFinish(
  shape: HistoryShape,
  finish: RunFinishedRequest,
  customerId: string | null,
): Promise<void> {
  if (finishReportedBySink(shape)) {
    const waiting = customerId !== null && finish.status !== 'completed';
    return reportRunFinished(
      waiting
        ? { ...finish, unsentDeliveries: { customerId, keyPrefix: deliveryKeyPrefix() } }
        : finish,
    );
  }
  await dataActivities(hasLocalDataActivities(shape)).recordRunFinished(finish);
}

/** Credits the run's messages with the goal it reached (attribution is the activity's job). */
async function recordConversion(
  input: RunInput,
  state: RunState,
  conversion: Extract<Command, { kind: 'record_conversion' }>,
  lean: boolean,
): Promise<Input> {
  const summary = await dataActivities(lean).recordConversion.executeWithOptions(
    dataCall(lean, `record conversion: ${conversion.event.type}`),
    [
      {
        customerId: input.customerId,
        journeyId: state.journeyId,
        journeyVersion: state.journeyVersion,
        workflowId: workflowInfo().workflowId,
        event: conversion.event,
        windowMs: conversion.windowMs,
        revenuePath: conversion.revenuePath,
      },
    ],
  );
  return {
    kind: 'conversion_recorded',
    now: Date.now(),
    summary: summary as unknown as JsonObject,
  };
}

/** Carries out one command; returns the input it produced, or null when woken by a signal. */
async function execute(
  command: Exclude<Command, { kind: 'finish' }>,
  input: RunInput,
  state: RunState,
  interrupted: () => boolean,
  lean: boolean,
): Promise<Input | null> {
  const data = dataActivities(lean);
  switch (command.kind) {
    case 'load_profile': {
      const profile = await data.loadProfile.executeWithOptions(dataCall(lean, 'load profile'), [
        input.customerId,
      ]);
      return { kind: 'profile', now: Date.now(), profile };
    }
    case 'load_engagement': {
      const engagedAt = await data.loadEngagementTimes.executeWithOptions(
        dataCall(lean, 'load engagement history'),
        [input.customerId],
      );
      return { kind: 'engagement', now: Date.now(), engagedAt };
    }
    case 'update_profile': {
      const profile = await data.applyProfileUpdate.executeWithOptions(
        dataCall(lean, `update profile: ${Object.keys(command.set).join(', ')}`),
        [input.customerId, command.set],
      );
      return { kind: 'profile_updated', now: Date.now(), profile };
    }
    case 'send':
      // `now` is read before the send, as it always was: the interpreter times what follows
      // (a step's next message, a wait) from it, and recorded runs replay on that.
      return {
        kind: 'send_result',
        now: Date.now(),
        outcome: await send(command, input, state, lean),
      };
    case 'wait':
      return (await waitUntil(command.until, describeCommand(command), interrupted))
        ? { kind: 'timer', now: Date.now() }
        : null;
    case 'load_trigger_history': {
      const events = await data.loadTriggerHistory.executeWithOptions(
        dataCall(lean, describeCommand(command)),
        [{ customerId: input.customerId, types: command.types, since: command.since }],
      );
      return { kind: 'trigger_history', now: Date.now(), events };
    }
    case 'record_conversion':
      // The loop carries this out before it gets here; handled the same way all the same.
      return recordConversion(input, state, command, lean);
  }
}

async function send(
  command: Extract<Command, { kind: 'send' }>,
  input: RunInput,
  state: RunState,
  lean: boolean,
): Promise<SendOutcome> {
  const info = workflowInfo();
  const request = {
    deliveryKey: deliveryKeyOf(command.stepId, command.visit, command.messageKey),
    customerId: input.customerId,
    journeyId: state.journeyId,
    journeyVersion: state.journeyVersion,
    workflowId: info.workflowId,
    stepId: command.stepId,
    channel: command.channel,
    messageKind: command.messageKind,
    content: command.content,
    variables: command.variables,
    ...(command.topic ? { topic: command.topic } : {}),
    priority: command.priority,
    onCap: command.onCap,
    ...(command.onUnknown ? { onUnknown: command.onUnknown } : {}),
    tracking: command.tracking,
    ...(command.caps ? { caps: command.caps } : {}),
  };
  const retry = sendRetry(input.sendPolicy);
  try {
    return await delivery.sendMessage.executeWithOptions(
      { ...deliveryOptions, retry, summary: `send ${command.channel}: ${command.stepId}` },
      [request],
    );
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    // Retries are exhausted: the ledger records why, and the run goes on (to a fallback, if any).
    const type = error.cause instanceof ApplicationFailure ? error.cause.type : null;
    const reason = `send_retries_exhausted${type ? `:${type}` : ''}`;
    return dataActivities(lean).abandonDelivery.executeWithOptions(
      dataCall(lean, `record undelivered ${command.channel}: ${command.stepId}`),
      [{ deliveryKey: request.deliveryKey, reason }],
    );
  }
}

/** The configured send policy as a retry policy; the first pause never exceeds the longest. */
function sendRetry(policy: SendPolicy | undefined) {
  if (!policy) return deliveryOptions.retry;
  const maximumInterval = policy.maximumIntervalSeconds * 1000;
  return {
    ...deliveryOptions.retry,
    initialInterval: Math.min(5_000, maximumInterval),
    maximumInterval,
    maximumAttempts: policy.maximumAttempts,
  };
}

/**
 * A durable timer raced against incoming signals. Resolves true when the time came, false when a
 * signal arrived first (the interpreter then decides whether the wait goes on).
 */
async function waitUntil(
  until: number,
  summary: string,
  interrupted: () => boolean,
): Promise<boolean> {
  const ms = until - Date.now();
  if (ms <= 0) return true;
  if (interrupted()) return false;
  return CancellationScope.cancellable(async () => {
    const timer = sleep(ms, { summary }).then(() => true);
    const signal = condition(interrupted).then(() => false);
    const fired = await Promise.race([timer, signal]);
    CancellationScope.current().cancel();
    return fired;
  });
}

function viewOf({ state, command }: Transition): JourneyRunView {
  return {
    workflowId: workflowInfo().workflowId,
    journeyId: state.journeyId,
    journeyVersion: state.journeyVersion,
    customerId: state.customerId,
    key: state.key,
    status: state.status,
    finishReason: state.finishReason,
    currentStepId: state.currentStepId,
    waiting:
      command.kind === 'wait'
        ? { until: new Date(command.until).toISOString(), events: command.events }
        : null,
    enteredAt: new Date(state.enteredAt).toISOString(),
    trace: state.trace,
  };
}
