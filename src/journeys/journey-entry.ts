import { evaluateConditionGroup, type ConditionsResult } from './conditions';
import { finish, record, scopeOf, type RunContext } from './run-context';
import type { JsonObject, ProfileSnapshot, RunInput, RunState, Transition } from './run-types';
import { runFrom } from './step-runner';
import { outcomesDetail, outcomesSummary } from './trace';

/** The state of a run that has just entered: no step yet, the run key in context. */
export function initialState(input: RunInput, now: number): RunState {
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
    seenEventIds: [],
    traceDropped: 0,
    stepsSinceWait: 0,
  };
}

/**
 * The first profile of the run is in: check the trigger conditions again (the match was made
 * before the run started, possibly on an older profile), then the audience, then enter. A null
 * profile: the journey reads none (profile-reads.ts), so it has no entry conditions either.
 */
export function enterJourney(ctx: RunContext, profile: ProfileSnapshot | null): Transition {
  ctx.state.profile = profile;
  const when = ctx.definition.trigger?.when;
  const trigger = ctx.state.trigger;
  if (when && trigger) {
    const result = evaluateConditionGroup(when, scopeOf(ctx, trigger), ctx.now);
    traceConditions(ctx, 'trigger', result, when.match ?? 'all');
    if (!result.passed) return finish(ctx, 'exited', 'trigger_mismatch');
  }
  const { audience } = ctx.definition;
  if (audience) {
    const result = evaluateConditionGroup(audience, scopeOf(ctx), ctx.now);
    traceConditions(ctx, 'audience', result, audience.match ?? 'all');
    if (!result.passed) return finish(ctx, 'exited', 'audience_mismatch');
  }
  return runFrom(ctx, ctx.definition.entry);
}

function traceConditions(
  ctx: RunContext,
  label: string,
  { outcomes, passed }: ConditionsResult,
  match: 'all' | 'any',
): void {
  record(ctx, {
    kind: 'condition',
    summary: `${label} ${passed ? 'matched' : 'not matched'}: ${outcomesSummary(outcomes, match)}`,
    detail: { passed, outcomes: outcomesDetail(outcomes) },
  });
}
