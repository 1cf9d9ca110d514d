import { formatLocal } from '../local-time';
import { sendCounted } from '../loop-guard';
import { issue, record, type RunContext } from '../run-context';
import type { HeldMessage, JsonObject, SendOutcome, Transition } from '../run-types';
import type { SendStep } from '../schema';
import { messagesOf, wantsFallback } from '../send-plan';
import { nextSendTime } from '../send-window';
import { scheduleWait, waitZone } from '../wait-scheduling';
import type { StepHandler, StepResult } from './step-handler';

/**
 * send: one message or several, each at its offset from entering the step, each with an
 * optional fallback channel. state.sendCursor says which message is next and whether its
 * fallback is being sent. A marketing message outside the send window waits for it (quiet
 * hours); a deferred outcome (a frequency cap) waits and sends the same message again.
 */
export const sendStep: StepHandler<SendStep> = {
  enter(ctx, step) {
    ctx.state.sendCursor = { index: 0, fallback: false };
    return nextSendAction(ctx, step);
  },

  /** The offset of the next message, the send window or a deferral has come. */
  timer: (ctx, step) => nextSendAction(ctx, step),

  sendResult(ctx, step, outcome, sent) {
    const reason = outcome.reason ? ` (${outcome.reason})` : '';
    record(ctx, {
      kind: 'send_result',
      summary: `${sent.channel} ${step.id}: ${outcome.status}${reason}`,
      detail: {
        channel: sent.channel,
        message: sent.messageKey,
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
        summary: `${step.id}: ${sent.channel} could not go out${reason}; trying ${fallback.channel}`,
      });
      ctx.state.sendCursor = { index: cursor.index, fallback: true };
    } else {
      ctx.state.sendCursor = { index: cursor.index + 1, fallback: false };
    }
    return nextSendAction(ctx, step);
  },
};

/**
 * The step's next action at its cursor: wait for the message's offset, send it (or its
 * fallback), or move on once every message is done.
 */
function nextSendAction(ctx: RunContext, step: SendStep): StepResult {
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
  const chosen = cursor.fallback && message.fallback ? message.fallback : message;
  const delivery = {
    stepId: step.id,
    visit: ctx.state.visits[step.id] ?? 1,
    messageKey: cursor.fallback ? `${cursor.index}-fallback` : `${cursor.index}`,
    channel: chosen.channel,
    messageKind: step.kind ?? 'marketing',
  } as const;
  const quiet = quietHoursUntil(ctx, step, delivery);
  if (quiet !== null) return quiet;
  const stopped = sendCounted(ctx, step.id);
  if (stopped) return stopped;
  const priority = step.priority ?? 'normal';
  return issue(ctx, {
    kind: 'send',
    ...delivery,
    content: chosen.content,
    variables: sendVariables(ctx),
    ...(step.topic ? { topic: step.topic } : {}),
    priority,
    onCap: step.onCap ?? (priority === 'low' ? 'skip' : 'defer'),
    ...(step.onUnknown === 'resend' ? { onUnknown: 'resend' as const } : {}),
    tracking: (ctx.definition.tracking ?? true) && (step.tracking ?? true),
    ...(ctx.definition.caps ? { caps: ctx.definition.caps } : {}),
  });
}

/** Template variables beyond the profile the send activity loads itself. */
function sendVariables(ctx: RunContext): JsonObject {
  return { trigger: ctx.state.trigger?.properties ?? {}, context: ctx.state.context };
}

/**
 * Quiet hours: a marketing message outside the send window waits, on a durable timer, for the
 * window to open in the customer's own zone. Transactional messages are never held back.
 */
function quietHoursUntil(
  ctx: RunContext,
  step: SendStep,
  delivery: Omit<HeldMessage, 'reason'>,
): Transition | null {
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
  return scheduleWait(ctx, step.id, opensAt, [], `the send window (${window.start} in ${zone})`, {
    ...delivery,
    reason: 'quiet_hours_deferred',
  });
}

/** A deferred message (e.g. a frequency cap) waits on a timer, then the same message is sent again. */
function deferSend(ctx: RunContext, step: SendStep, outcome: SendOutcome): Transition {
  const retryAt = Math.max(outcome.retryAt ?? ctx.now, ctx.now + 1_000);
  const why = outcome.reason ?? 'not now';
  record(ctx, {
    kind: 'send_deferred',
    summary: `${step.id}: deferred (${why}) until ${new Date(retryAt).toISOString()}`,
    detail: { reason: outcome.reason ?? null, until: new Date(retryAt).toISOString() },
  });
  return scheduleWait(ctx, step.id, retryAt, [], `${step.id} deferred: ${why}`);
}
