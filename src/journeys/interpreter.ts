import {
  delayEntry,
  inEntryDelay,
  onEntryDelayEvent,
  onEntryDelayOver,
  onTriggerHistory,
} from './entry-delay';
import { onConversionRecorded } from './goal';
import { enterJourney, initialState } from './journey-entry';
import { readsProfile } from './profile-reads';
import { onJourneyEvent } from './journey-events';
import {
  carryOn,
  commandOf,
  createContext,
  currentStep,
  issue,
  record,
  type RunContext,
} from './run-context';
import { cancelRun, endIfPastMaxDuration } from './run-limits';
import type { Input, JourneyEvent, RunInput, RunState, Transition } from './run-types';
import type { JourneyDefinition, Step } from './schema';
import { continueWith } from './step-runner';
import { handlerOf } from './steps';
import type { StepResult } from './steps/step-handler';
import { answersLastCommand, unexpectedInput } from './unexpected-input';

/**
 * The pure step machine. The driver (the Temporal workflow, or preview.ts on a virtual clock)
 * calls startRun once, carries out each returned command and feeds what happened back through
 * advance. Neither function reads a clock or mutates its arguments.
 *
 * This file only dispatches: journey-level rules first (conversion, finished runs, cancel,
 * maxDuration, then the event rules in journey-events.ts), then the current step's handler
 * in steps/. An input nobody asked for is traced as input_unexpected and changes nothing else.
 */

/**
 * `profile`: `load` loads the profile before anything else, as every run did; `when_read`
 * enters without it when nothing in the journey reads it (profile-reads.ts), so a run of
 * transactional sends goes straight to its first send. The driver chooses, by the run's history
 * shape: a run that loaded its profile at entry must keep doing so when it is replayed.
 */
export function startRun(
  input: RunInput,
  now: number,
  profile: 'load' | 'when_read' = 'load',
): Transition {
  const { definition } = input;
  const ctx = createContext(definition, initialState(input, now), now);
  record(ctx, {
    kind: 'entered',
    summary: `entered journey ${definition.id} v${input.journeyVersion}${input.trigger ? ` on ${input.trigger.type}` : ''}`,
    detail: { triggerEventId: input.trigger?.id ?? null, key: input.key ?? null },
  });
  const delayed = delayEntry(ctx);
  if (delayed) return delayed;
  if (profile === 'when_read' && !readsProfile(definition)) return enterJourney(ctx, null);
  return issue(ctx, { kind: 'load_profile' });
}

export function advance(definition: JourneyDefinition, state: RunState, input: Input): Transition {
  const ctx = createContext(definition, state, input.now);
  // A goal that ended the run still has its conversion recorded afterwards.
  if (input.kind === 'conversion_recorded') return onConversionRecorded(ctx, input.summary);
  // A finished run takes no more input; its trace is what the runs registry recorded.
  if (state.status !== 'running') return carryOn(ctx);
  if (input.kind === 'cancel') return cancelRun(ctx, input.reason);
  const expired = endIfPastMaxDuration(ctx);
  if (expired) return expired;
  if (input.kind === 'event') return onEvent(ctx, input.event);
  return onAnswer(ctx, input);
}

type Answer = Exclude<Input, { kind: 'event' | 'cancel' | 'conversion_recorded' }>;

/** The answer to the command the run issued goes to the step that issued it. */
function onAnswer(ctx: RunContext, input: Answer): Transition {
  if (!answersLastCommand(ctx.state, input)) return unexpectedInput(ctx, input);
  const step = currentStep(ctx);
  if (step === null) return beforeEntry(ctx, input);
  const result = deliver(ctx, step, input);
  if (!result) return unexpectedInput(ctx, input);
  let transition = continueWith(ctx, result);
  // Events a step held and did not take go to the step the run moved to, in order. The
  // journey-level rules saw them when they arrived.
  for (const event of 'goto' in result ? (result.replay ?? []) : []) {
    if (ctx.state.status !== 'running') break;
    transition = offerToStep(ctx, event);
  }
  return transition;
}

/** Before the first step: the entry delay's timer and history, then the entry's profile. */
function beforeEntry(ctx: RunContext, input: Answer): Transition {
  if (input.kind === 'timer' && inEntryDelay(ctx)) return onEntryDelayOver(ctx);
  if (input.kind === 'trigger_history') return onTriggerHistory(ctx, input.events);
  if (input.kind === 'profile') return enterJourney(ctx, input.profile);
  return unexpectedInput(ctx, input);
}

/** Hands the input to the step's handler; null when the step has no handler for it. */
function deliver(ctx: RunContext, step: Step, input: Answer): StepResult | null {
  const handler = handlerOf(step);
  const pending = ctx.state.pendingCommand;
  switch (input.kind) {
    case 'timer':
      return handler.timer?.(ctx, step) ?? null;
    case 'profile':
      return handler.profile?.(ctx, step, input.profile) ?? null;
    case 'engagement':
      return handler.engagement?.(ctx, step, input.engagedAt) ?? null;
    case 'send_result':
      if (pending?.kind !== 'send') return null;
      return handler.sendResult?.(ctx, step, input.outcome, pending) ?? null;
    case 'profile_updated':
      if (pending?.kind !== 'update_profile') return null;
      return handler.profileUpdated?.(ctx, step, input.profile, pending) ?? null;
    case 'trigger_history':
      // Only a run waiting to enter asks for it (entry-delay.ts).
      return null;
  }
}

function onEvent(ctx: RunContext, event: JourneyEvent): Transition {
  const current = commandOf(ctx.state);
  if (current.kind === 'wait' && ctx.now >= current.until) {
    // The wait ended before this event arrived: the timer goes first, then the event.
    const afterTimer = onAnswer(ctx, { kind: 'timer', now: ctx.now });
    if (ctx.state.status !== 'running') return afterTimer;
  }
  const decided = onJourneyEvent(ctx, event) ?? onEntryDelayEvent(ctx, event);
  if (decided) return decided;
  return offerToStep(ctx, event);
}

/** The step's part of an event, once the journey-level rules have let it through. */
function offerToStep(ctx: RunContext, event: JourneyEvent): Transition {
  const step = currentStep(ctx);
  // The step's own command: a conversion still to be recorded does not stop a waiting step
  // from taking an event (the workflow drains its inbox before it records the conversion). A
  // waitForEvent loading the profile for the events it holds takes the ones that follow too.
  const waiting =
    ctx.state.pendingCommand?.kind === 'wait' || ctx.state.eventsAwaitingProfile != null;
  const taken = step && waiting ? (handlerOf(step).event?.(ctx, step, event) ?? null) : null;
  if (taken) return continueWith(ctx, taken);
  // A goal event that did not end the run was traced as the goal; anything else is ignored.
  if (ctx.definition.goal?.event !== event.type) {
    record(ctx, {
      kind: 'event_ignored',
      summary: `${event.type} event ignored: ${step ? `step ${step.id}` : 'the run'} is not waiting for it`,
      detail: { eventId: event.id },
    });
  }
  return carryOn(ctx);
}
