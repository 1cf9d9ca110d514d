import { carryOn, record, type RunContext } from './run-context';
import type { Command, Input, Transition } from './run-types';

/** The input that answers each command; a finished run waits for nothing. */
const ANSWER: Record<Command['kind'], Input['kind'] | null> = {
  load_profile: 'profile',
  load_engagement: 'engagement',
  send: 'send_result',
  update_profile: 'profile_updated',
  wait: 'timer',
  record_conversion: 'conversion_recorded',
  finish: null,
};

/** Whether the input answers the command the run is waiting on (a timer: only once it is due). */
export function answersPending(command: Command | null, input: Input): boolean {
  if (command === null || ANSWER[command.kind] !== input.kind) return false;
  return command.kind !== 'wait' || input.now >= command.until;
}

/**
 * An input the run did not ask for (a send result while waiting, a timer during a send, a
 * timer before its time): the run changes nothing and carries on, and the trace says so.
 */
export function unexpectedInput(ctx: RunContext, input: Input): Transition {
  const pending = ctx.state.pendingCommand;
  record(ctx, {
    kind: 'input_unexpected',
    summary: `${input.kind} not expected ${describeWaitingOn(pending, input)}; nothing changed`,
    detail: { input: input.kind, pending: pending?.kind ?? null },
  });
  return carryOn(ctx);
}

function describeWaitingOn(command: Command | null, input: Input): string {
  if (command === null) return 'before the run has begun';
  if (command.kind === 'wait' && input.kind === 'timer') {
    return `before the wait of ${command.stepId} ends at ${new Date(command.until).toISOString()}`;
  }
  return `while the run waits for the answer to ${command.kind}`;
}
