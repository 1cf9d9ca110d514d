import { describeDuration, parseDuration } from './durations';
import { resolveField } from './field-paths';
import { journeyEventTypes } from './listens';
import { formatLocal, isValidTimeZone, nextLocalTime } from './local-time';
import {
  finish,
  issue,
  record,
  runDeadline,
  scopeOf,
  stepById,
  type RunContext,
} from './run-context';
import type { JsonObject, SendOutcome, Transition } from './run-types';
import { nextSendTime } from './send-window';
import { bestHour, MIN_ENGAGEMENTS } from './best-hour';
import { messagesOf } from './send-plan';
import type { SendStep, Step, UpdateProfileStep, WaitForEventStep, WaitStep } from './schema';

/**
 * A run may enter at most this many steps without waiting on a timer; more means a loop that
 * never waits (branches that point at each other, or a send that leads back to itself). The
 * count lives in the state because branches and sends hand control to the driver in between.
 */
export const MAX_STEPS_PER_DECISION = 1000;

/** Either the step produced a command for the driver, or the run moves straight on. */
type StepResult = Transition | { goto: string | undefined };

/** Enters `stepId` and keeps going through zero-time steps until there is a command. */
export function runFrom(ctx: RunContext, stepId: string | undefined): Transition {
  let next = stepId;
  for (;;) {
    if (next === undefined) return finish(ctx, 'completed', 'completed');
    if ((ctx.state.stepsSinceWait ?? 0) >= MAX_STEPS_PER_DECISION) {
      return finish(ctx, 'failed', 'step_limit', {
        message: `more than ${MAX_STEPS_PER_DECISION} steps without a wait: the journey loops without waiting`,
        step: next,
      });
    }
    const result = enterStep(ctx, stepById(ctx, next));
    if (!('goto' in result)) return result;
    next = result.goto;
  }
}

function enterStep(ctx: RunContext, step: Step): StepResult {
  const { state } = ctx;
  state.stepsSinceWait = (state.stepsSinceWait ?? 0) + 1;
  state.visits[step.id] = (state.visits[step.id] ?? 0) + 1;
  state.currentStepId = step.id;
  state.stepStartedAt = ctx.now;
  record(ctx, {
    kind: 'step_started',
    summary: `entered ${step.type} step ${step.id} (visit ${state.visits[step.id]})`,
  });
  switch (step.type) {
    case 'send':
      ctx.state.sendCursor = { index: 0, fallback: false };
      return nextSendAction(ctx, step);
    case 'wait':
      return enterWait(ctx, step);
    case 'waitForEvent':
      return enterWaitForEvent(ctx, step);
    case 'branch':
      // Conditions must see the profile as it is now, not as it was when the run entered.
      return issue(ctx, { kind: 'load_profile' });
    case 'updateProfile':
      return enterUpdateProfile(ctx, step);
    case 'exit':
      return finish(ctx, 'exited', 'exit_step', step.reason ? { reason: step.reason } : undefined);
  }
}

/** Template variables beyond the profile the send activity loads itself. */
export function sendVariables(ctx: RunContext): JsonObject {
  return { trigger: ctx.state.trigger?.properties ?? {}, context: ctx.state.context };
}

/**
 * The send step's next action at its cursor: wait for the message's offset, send it (or its
 * fallback), or move on once every message is done.
 */
export function nextSendAction(ctx: RunContext, step: SendStep): StepResult {
  const cursor = ctx.state.sendCursor ?? { index: 0, fallback: false };
  const message = messagesOf(step)[cursor.index];
  if (!message) {
    ctx.state.sendCursor = null;
    return { goto: step.next };
  }
  const dueAt = ctx.state.stepStartedAt + message.offsetMs;
  if (!cursor.fallback && dueAt > ctx.now) {
    const describe = `${message.channel} message ${cursor.index + 1} of ${step.id}`;
    return scheduleWait(ctx, step.id, dueAt, [], describe);
  }
  const quiet = quietHoursUntil(ctx, step);
  if (quiet !== null) return quiet;
  const chosen = cursor.fallback && message.fallback ? message.fallback : message;
  const priority = step.priority ?? 'normal';
  return issue(ctx, {
    kind: 'send',
    stepId: step.id,
    visit: ctx.state.visits[step.id] ?? 1,
    messageKey: cursor.fallback ? `${cursor.index}-fallback` : `${cursor.index}`,
    channel: chosen.channel,
    messageKind: step.kind ?? 'marketing',
    content: chosen.content,
    variables: sendVariables(ctx),
    ...(step.topic ? { topic: step.topic } : {}),
    priority,
    onCap: step.onCap ?? (priority === 'low' ? 'skip' : 'defer'),
    tracking: (ctx.definition.tracking ?? true) && (step.tracking ?? true),
    ...(ctx.definition.caps ? { caps: ctx.definition.caps } : {}),
  });
}

/**
 * Quiet hours: a marketing message outside the send window waits, on a durable timer, for the
 * window to open in the customer's own zone. Transactional messages are never held back.
 */
function quietHoursUntil(ctx: RunContext, step: SendStep): Transition | null {
  const window = ctx.definition.sendWindow ?? ctx.state.defaultSendWindow ?? null;
  if (window === null || (step.kind ?? 'marketing') === 'transactional') return null;
  const zone = waitZone(ctx) ?? 'UTC';
  const opensAt = nextSendTime(ctx.now, window, zone);
  if (opensAt <= ctx.now) return null;
  record(ctx, {
    kind: 'quiet_hours',
    summary: `quiet hours in ${zone} (window ${window.start}–${window.end}): holding ${step.id} until ${formatLocal(opensAt, zone)}`,
    detail: { reason: 'quiet_hours_deferred', zone, until: new Date(opensAt).toISOString() },
  });
  return scheduleWait(ctx, step.id, opensAt, [], `the send window (${window.start} in ${zone})`);
}

/** A deferred message (e.g. a frequency cap) waits on a timer, then the same message is sent again. */
export function deferSend(ctx: RunContext, step: SendStep, outcome: SendOutcome): Transition {
  const retryAt = Math.max(outcome.retryAt ?? ctx.now, ctx.now + 1_000);
  record(ctx, {
    kind: 'send_deferred',
    summary: `${step.id}: deferred (${outcome.reason ?? 'not now'}) until ${new Date(retryAt).toISOString()}`,
    detail: { reason: outcome.reason ?? null, until: new Date(retryAt).toISOString() },
  });
  return scheduleWait(
    ctx,
    step.id,
    retryAt,
    [],
    `${step.id} deferred: ${outcome.reason ?? 'not now'}`,
  );
}

/** Carries a step result on: a command as it is, a `goto` into the next step. */
export function continueWith(ctx: RunContext, result: StepResult): Transition {
  return 'goto' in result ? runFrom(ctx, result.goto) : result;
}

function enterWait(ctx: RunContext, step: WaitStep): StepResult {
  // The best hour is learned from engagement history, which the driver loads first.
  if (step.untilBestHour) return issue(ctx, { kind: 'load_engagement', stepId: step.id });
  const target = waitTarget(ctx, step);
  if ('failed' in target) return target.failed;
  if (target.until <= ctx.now) {
    record(ctx, {
      kind: 'wait_scheduled',
      summary: `${target.describe} has already passed; continuing at once`,
    });
    return { goto: step.next };
  }
  return scheduleWait(ctx, step.id, target.until, [], target.describe);
}

/** The engagement history is in: wait until the customer's best hour (or the fallback time). */
export function waitForBestHour(ctx: RunContext, step: WaitStep, engagedAt: number[]): Transition {
  const zone = waitZone(ctx) ?? 'UTC';
  const learned = bestHour(engagedAt, zone);
  const fallback = step.untilBestHour?.fallback ?? '09:00';
  const time = learned ? `${String(learned.hour).padStart(2, '0')}:00` : fallback;
  record(ctx, {
    kind: 'best_hour',
    summary: learned
      ? `best hour ${time} in ${zone}, learned from ${learned.basedOn} opens and clicks`
      : `fewer than ${MIN_ENGAGEMENTS} opens and clicks to learn from; using the fallback ${time} in ${zone}`,
    detail: { time, zone, basedOn: learned?.basedOn ?? 0, fallback: learned === null },
  });
  return continueWith(
    ctx,
    scheduleWait(
      ctx,
      step.id,
      nextLocalTime(ctx.now, time, zone),
      [],
      `the best hour (${time} in ${zone})`,
    ),
  );
}

function enterWaitForEvent(ctx: RunContext, step: WaitForEventStep): StepResult {
  const until = ctx.now + parseDuration(step.timeout);
  return scheduleWait(ctx, step.id, until, [step.event], `${step.event} for up to ${step.timeout}`);
}

function scheduleWait(
  ctx: RunContext,
  stepId: string,
  until: number,
  stepEvents: string[],
  describe: string,
): Transition {
  const deadline = runDeadline(ctx);
  const capped = deadline === null ? until : Math.min(until, deadline);
  const events = [...new Set([...stepEvents, ...journeyEventTypes(ctx.definition)])].sort();
  ctx.state.stepsSinceWait = 0;
  const capNote = capped < until ? ' (cut short by the journey maxDuration)' : '';
  record(ctx, {
    kind: 'wait_scheduled',
    summary: `waiting ${describeDuration(capped - ctx.now)}: ${describe}${capNote}`,
    detail: { until: capped, events },
  });
  return issue(ctx, { kind: 'wait', stepId, until: capped, events });
}

type WaitTarget = { until: number; describe: string } | { failed: Transition };

function waitTarget(ctx: RunContext, step: WaitStep): WaitTarget {
  const { state } = ctx;
  if (step.for !== undefined)
    return { until: ctx.now + parseDuration(step.for), describe: `for ${step.for}` };
  if (step.untilSinceEntry !== undefined) {
    return {
      until: state.enteredAt + parseDuration(step.untilSinceEntry),
      describe: `until ${step.untilSinceEntry} after entry`,
    };
  }
  const zone = waitZone(ctx);
  if (zone === null) {
    return {
      failed: finish(ctx, 'failed', 'invalid_time_zone', {
        message: 'the run default time zone is not a valid IANA zone',
        zone: state.defaultTimeZone,
      }),
    };
  }
  const time = step.untilLocalTime ?? '00:00';
  return { until: nextLocalTime(ctx.now, time, zone), describe: `until ${time} in ${zone}` };
}

/** The profile's zone when it is valid, else the run's default zone; null when neither is. */
function waitZone(ctx: RunContext): string | null {
  const profileZone = ctx.state.profile?.timeZone ?? null;
  if (profileZone !== null && isValidTimeZone(profileZone)) return profileZone;
  if (profileZone !== null) {
    record(ctx, {
      kind: 'condition',
      summary: 'profile time zone is not a valid IANA zone; using the run default zone',
      detail: { profileZone, defaultZone: ctx.state.defaultTimeZone },
    });
  }
  return isValidTimeZone(ctx.state.defaultTimeZone) ? ctx.state.defaultTimeZone : null;
}

/**
 * Literal values go through as they are; { from: path } copies a value from the run's data.
 * A missing source fails closed: that attribute is left out (never written as null) and the
 * trace names the path.
 */
function enterUpdateProfile(ctx: RunContext, step: UpdateProfileStep): StepResult {
  const set: JsonObject = {};
  const skipped: string[] = [];
  for (const [attribute, value] of Object.entries(step.set)) {
    if (value !== null && typeof value === 'object') {
      const resolved = resolveField(value.from, scopeOf(ctx));
      if (resolved.missing) skipped.push(`${attribute} (from ${value.from})`);
      else set[attribute] = resolved.value;
    } else {
      set[attribute] = value;
    }
  }
  if (skipped.length > 0) {
    record(ctx, {
      kind: 'condition',
      summary: `left out of the profile update, source missing: ${skipped.join(', ')}`,
      detail: { skipped },
    });
  }
  if (Object.keys(set).length === 0) {
    record(ctx, { kind: 'profile_updated', summary: 'nothing to update; continuing' });
    return { goto: step.next };
  }
  return issue(ctx, {
    kind: 'update_profile',
    stepId: step.id,
    visit: ctx.state.visits[step.id] ?? 1,
    set,
  });
}
