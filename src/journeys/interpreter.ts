import { evaluateConditionGroup } from './conditions';
import { handleEvent } from './event-handling';
import {
  carryOn,
  createContext,
  currentStep,
  finish,
  issue,
  record,
  runDeadline,
  scopeOf,
  type RunContext,
} from './run-context';
import type {
  Input,
  JsonObject,
  ProfileSnapshot,
  RunInput,
  RunState,
  SendOutcome,
  Transition,
} from './run-types';
import type { JourneyDefinition } from './schema';
import { messagesOf, wantsFallback } from './send-plan';
import { continueWith, deferSend, nextSendAction, runFrom, waitForBestHour } from './step-entry';
import { outcomesDetail, outcomesSummary } from './trace';

/**
 * The pure step machine. The driver (the Temporal workflow, or preview.ts on a virtual clock)
 * calls startRun once, carries out each returned command and feeds what happened back through
 * advance. Neither function reads a clock or mutates its arguments.
 */

export function startRun(input: RunInput, now: number): Transition {
  const { definition } = input;
  const state = initialState(input, now);
  const ctx = createContext(definition, state, now);
  record(ctx, {
    kind: 'entered',
    summary: `entered journey ${definition.id} v${input.journeyVersion}${input.trigger ? ` on ${input.trigger.type}` : ''}`,
    detail: { triggerEventId: input.trigger?.id ?? null, key: input.key ?? null },
  });
  return issue(ctx, { kind: 'load_profile' });
}

function initialState(input: RunInput, now: number): RunState {
  const { definition } = input;
  const context: JsonObject = {};
  if (definition.reEntry?.mode === 'keyed' && input.key !== undefined)
    context[definition.reEntry.key] = input.key;
  return {
    journeyId: definition.id,
    journeyVersion: input.journeyVersion,
    customerId: input.customerId,
    key: input.key ?? null,
    enteredAt: now,
    status: 'running',
    finishReason: null,
    currentStepId: null,
    stepStartedAt: now,
    visits: {},
    context,
    trigger: input.trigger ?? null,
    profile: null,
    defaultTimeZone: input.defaultTimeZone,
    defaultSendWindow: input.defaultSendWindow ?? null,
    goalReachedAt: null,
    trace: [],
    pendingCommand: null,
    // The trigger may also be routed to the run as an event; it must not count twice.
    seenEventIds: input.trigger ? [input.trigger.id] : [],
    traceDropped: 0,
    stepsSinceWait: 0,
  };
}

export function advance(definition: JourneyDefinition, state: RunState, input: Input): Transition {
  const ctx = createContext(definition, state, input.now);
  // A goal that ended the run still has its conversion recorded afterwards.
  if (input.kind === 'conversion_recorded') return onConversionRecorded(ctx, input.summary);
  if (state.status !== 'running') return carryOn(ctx);
  if (input.kind === 'cancel') {
    return finish(
      ctx,
      'cancelled',
      'cancelled',
      input.reason ? { reason: input.reason } : undefined,
    );
  }
  const deadline = runDeadline(ctx);
  if (deadline !== null && ctx.now >= deadline) return finish(ctx, 'exited', 'max_duration');

  if ((input.kind === 'event' || input.kind === 'profile') && waitIsDue(ctx)) {
    // The wait ended before this input arrived: the timer goes first, then the input.
    const afterTimer = onTimer(ctx);
    if (afterTimer.command.kind === 'finish') return afterTimer;
  }
  switch (input.kind) {
    case 'timer':
      return onTimer(ctx);
    case 'event':
      return handleEvent(ctx, input.event);
    case 'profile':
      return onProfile(ctx, input.profile);
    case 'send_result':
      return onSendResult(ctx, input.outcome);
    case 'profile_updated':
      return onProfileUpdated(ctx, input.profile);
    case 'engagement':
      return onEngagement(ctx, input.engagedAt);
  }
}

function waitIsDue(ctx: RunContext): boolean {
  const pending = ctx.state.pendingCommand;
  return pending?.kind === 'wait' && ctx.now >= pending.until;
}

function onTimer(ctx: RunContext): Transition {
  const pending = ctx.state.pendingCommand;
  // A timer that fires early (or while no wait is pending) changes nothing.
  if (pending?.kind !== 'wait' || ctx.now < pending.until) return carryOn(ctx);
  const step = currentStep(ctx);
  if (step?.type === 'waitForEvent') {
    record(ctx, {
      kind: 'timeout',
      summary: `no matching ${step.event} event within ${step.timeout}; going to ${step.onTimeout ?? 'the end'}`,
    });
    return runFrom(ctx, step.onTimeout);
  }
  if (step?.type === 'wait') return runFrom(ctx, step.next);
  // A send step waited for the offset of its next message.
  if (step?.type === 'send') return continueWith(ctx, nextSendAction(ctx, step));
  return carryOn(ctx);
}

function onProfile(ctx: RunContext, profile: ProfileSnapshot): Transition {
  ctx.state.profile = profile;
  if (ctx.state.pendingCommand?.kind !== 'load_profile') return carryOn(ctx);
  const step = currentStep(ctx);
  if (step === null) return enterJourney(ctx);
  if (step.type !== 'branch') return carryOn(ctx);
  const result = evaluateConditionGroup(step.when, scopeOf(ctx), ctx.now);
  const target = result.passed ? step.then : step.else;
  record(ctx, {
    kind: 'branch',
    summary: `${step.id}: ${outcomesSummary(result.outcomes, step.when.match ?? 'all')} → ${result.passed ? 'then' : 'else'} (${target ?? 'end'})`,
    detail: { passed: result.passed, outcomes: outcomesDetail(result.outcomes) },
  });
  return runFrom(ctx, target);
}

/**
 * The first profile of the run is in: check the trigger conditions again (the match was made
 * before the run started, possibly on an older profile), then the audience, then enter.
 */
function enterJourney(ctx: RunContext): Transition {
  const when = ctx.definition.trigger?.when;
  const trigger = ctx.state.trigger;
  if (when && trigger) {
    const result = evaluateConditionGroup(when, scopeOf(ctx, trigger), ctx.now);
    traceConditions(ctx, 'trigger', result.outcomes, when.match ?? 'all', result.passed);
    if (!result.passed) return finish(ctx, 'exited', 'trigger_mismatch');
  }
  const { audience } = ctx.definition;
  if (audience) {
    const result = evaluateConditionGroup(audience, scopeOf(ctx), ctx.now);
    traceConditions(ctx, 'audience', result.outcomes, audience.match ?? 'all', result.passed);
    if (!result.passed) return finish(ctx, 'exited', 'audience_mismatch');
  }
  return runFrom(ctx, ctx.definition.entry);
}

function traceConditions(
  ctx: RunContext,
  label: string,
  outcomes: Parameters<typeof outcomesDetail>[0],
  match: 'all' | 'any',
  passed: boolean,
): void {
  record(ctx, {
    kind: 'condition',
    summary: `${label} ${passed ? 'matched' : 'not matched'}: ${outcomesSummary(outcomes, match)}`,
    detail: { passed, outcomes: outcomesDetail(outcomes) },
  });
}

function onSendResult(ctx: RunContext, outcome: SendOutcome): Transition {
  const step = currentStep(ctx);
  const pending = ctx.state.pendingCommand;
  if (pending?.kind !== 'send' || step?.type !== 'send') return carryOn(ctx);
  const reason = outcome.reason ? ` (${outcome.reason})` : '';
  record(ctx, {
    kind: 'send_result',
    summary: `${pending.channel} ${step.id}: ${outcome.status}${reason}`,
    detail: {
      channel: pending.channel,
      message: pending.messageKey,
      status: outcome.status,
      deliveryId: outcome.deliveryId,
      reason: outcome.reason ?? null,
    },
  });
  if (outcome.status === 'deferred') return deferSend(ctx, step, outcome);
  if (outcome.deliveryId) {
    ctx.state.deliverySteps = { ...ctx.state.deliverySteps, [outcome.deliveryId]: step.id };
  }
  const cursor = ctx.state.sendCursor ?? { index: 0, fallback: false };
  const fallback = messagesOf(step)[cursor.index]?.fallback;
  if (!cursor.fallback && fallback && wantsFallback(outcome)) {
    record(ctx, {
      kind: 'send_fallback',
      summary: `${step.id}: ${pending.channel} could not go out${reason}; trying ${fallback.channel}`,
    });
    ctx.state.sendCursor = { index: cursor.index, fallback: true };
  } else {
    ctx.state.sendCursor = { index: cursor.index + 1, fallback: false };
  }
  return continueWith(ctx, nextSendAction(ctx, step));
}

function onConversionRecorded(ctx: RunContext, summary: JsonObject): Transition {
  const pending = ctx.state.pendingConversion;
  if (!pending) return carryOn(ctx);
  ctx.state.pendingConversion = null;
  record(ctx, {
    kind: 'conversion',
    summary: `conversion recorded for goal ${pending.event.type}`,
    detail: { eventId: pending.event.id, ...summary },
  });
  return carryOn(ctx);
}

function onEngagement(ctx: RunContext, engagedAt: number[]): Transition {
  const step = currentStep(ctx);
  if (ctx.state.pendingCommand?.kind !== 'load_engagement' || step?.type !== 'wait') {
    return carryOn(ctx);
  }
  return waitForBestHour(ctx, step, engagedAt);
}

function onProfileUpdated(ctx: RunContext, profile: ProfileSnapshot): Transition {
  const pending = ctx.state.pendingCommand;
  const step = currentStep(ctx);
  if (pending?.kind !== 'update_profile' || step?.type !== 'updateProfile') return carryOn(ctx);
  ctx.state.profile = profile;
  record(ctx, {
    kind: 'profile_updated',
    summary: `profile updated: ${Object.keys(pending.set).join(', ')}`,
  });
  return runFrom(ctx, step.next);
}
