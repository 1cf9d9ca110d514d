import type { JsonObject } from './run-types';
import type {
  Command,
  Decision,
  FinishReason,
  JourneyEvent,
  RunState,
  RunStatus,
  Transition,
} from './run-types';
import type { JourneyDefinition, Step } from './schema';
import { appendDecision } from './trace';
import { parseDuration } from './durations';
import type { FieldScope } from './field-paths';

/** One decision in progress: a private working copy of the state that handlers may change. */
export interface RunContext {
  definition: JourneyDefinition;
  state: RunState;
  now: number;
}

/**
 * A copy deep enough that handlers never touch the caller's state: every container a handler
 * adds to in place is copied here. Everything else (profile, trigger, commands, cursors, the
 * pending conversion, decisions) is only ever replaced whole, never changed in place.
 */
export function copyState(state: RunState): RunState {
  return {
    ...state,
    visits: { ...state.visits },
    context: { ...state.context },
    trace: [...state.trace],
    seenEventIds: [...state.seenEventIds],
    ...(state.deliverySteps ? { deliverySteps: { ...state.deliverySteps } } : {}),
    ...(state.engagement ? { engagement: copyEngagement(state.engagement) } : {}),
    ...(state.eventsAwaitingProfile
      ? { eventsAwaitingProfile: [...state.eventsAwaitingProfile] }
      : {}),
  };
}

function copyEngagement(engagement: NonNullable<RunState['engagement']>) {
  return Object.fromEntries(Object.entries(engagement).map(([step, seen]) => [step, { ...seen }]));
}

export function createContext(
  definition: JourneyDefinition,
  state: RunState,
  now: number,
): RunContext {
  return { definition, state: copyState(state), now };
}

export function record(
  ctx: RunContext,
  decision: Omit<Decision, 'at' | 'stepId'> & { stepId?: string | null },
): void {
  appendDecision(ctx.state, { at: ctx.now, stepId: ctx.state.currentStepId, ...decision });
}

/** The run's next command for the driver; carryOn hands it over (after any pending conversion). */
export function issue(ctx: RunContext, command: Command): Transition {
  ctx.state.pendingCommand = command;
  return carryOn(ctx);
}

/**
 * The driver carries on with what it was doing. A conversion waiting to be recorded comes
 * first: it is a journey-level effect that does not replace what the step asked for.
 */
export function carryOn(ctx: RunContext): Transition {
  return { state: ctx.state, command: commandOf(ctx.state) };
}

/** The command the run last gave the driver: the pending conversion first, then the step's. */
export function commandOf(state: RunState): Command {
  const conversion = state.pendingConversion;
  if (conversion) return { kind: 'record_conversion', ...conversion };
  return state.pendingCommand ?? finishCommandOf(state);
}

function finishCommandOf(state: RunState): Command {
  return { kind: 'finish', status: state.status, reason: state.finishReason ?? 'completed' };
}

export function finish(
  ctx: RunContext,
  status: Exclude<RunStatus, 'running'>,
  reason: FinishReason,
  detail?: Decision['detail'],
): Transition {
  ctx.state.status = status;
  ctx.state.finishReason = reason;
  record(ctx, {
    kind: 'finished',
    summary: `run ${status} (${reason})`,
    ...(detail ? { detail } : {}),
  });
  return issue(ctx, { kind: 'finish', status, reason });
}

export function stepById(ctx: RunContext, id: string): Step {
  const step = ctx.definition.steps.find((s) => s.id === id);
  if (!step) throw new Error(`journey "${ctx.definition.id}" has no step "${id}"`);
  return step;
}

export function currentStep(ctx: RunContext): Step | null {
  const id = ctx.state.currentStepId;
  return id === null ? null : stepById(ctx, id);
}

/** When the journey's maxDuration runs out, or null without one. */
export function runDeadline(ctx: RunContext): number | null {
  const { maxDuration } = ctx.definition;
  return maxDuration === undefined ? null : ctx.state.enteredAt + parseDuration(maxDuration);
}

export function scopeOf(ctx: RunContext, event?: JourneyEvent): FieldScope {
  return {
    profile: ctx.state.profile,
    trigger: ctx.state.trigger,
    context: ctx.state.context,
    engagement: engagementScope(ctx.state.engagement ?? {}),
    ...scoresScope(ctx.state.profile),
    ...(event ? { event } : {}),
  };
}

/** scores.<id>: the values the profile was loaded with (src/customers adds them to the snapshot). */
function scoresScope(profile: RunContext['state']['profile']): { scores?: JsonObject } {
  const scores = profile?.scores;
  return typeof scores === 'object' && scores !== null && !Array.isArray(scores) ? { scores } : {};
}

/**
 * engagement.<stepId>.opened / .clicked (booleans) and .opened_at / .clicked_at (ISO), and
 * engagement.last_at: the customer's engagement with this run's messages.
 */
function engagementScope(engagement: Record<string, { opened?: number; clicked?: number }>) {
  const scope: JsonObject = {};
  let last = 0;
  for (const [stepId, seen] of Object.entries(engagement)) {
    scope[stepId] = {
      opened: seen.opened !== undefined || seen.clicked !== undefined,
      clicked: seen.clicked !== undefined,
      ...(seen.opened !== undefined ? { opened_at: new Date(seen.opened).toISOString() } : {}),
      ...(seen.clicked !== undefined ? { clicked_at: new Date(seen.clicked).toISOString() } : {}),
    };
    last = Math.max(last, seen.opened ?? 0, seen.clicked ?? 0);
  }
  if (last > 0) scope.last_at = new Date(last).toISOString();
  return scope;
}
