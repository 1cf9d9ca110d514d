import { carryOn, commandOf, record, type RunContext } from './run-context';
import type { Command, Input, RunState, Transition } from './run-types';

/** The input that answers each command; a finished run waits for nothing. */
const ANSWER: Record<Command['kind'], Input['kind'] | null> = {
  load_profile: 'profile',
  load_engagement: 'engagement',
  send: 'send_result',
  update_profile: 'profile_updated',
  wait: 'timer',
  record_conversion: 'conversion_recorded',
  load_trigger_history: 'trigger_history',
  finish: null,
};

/**
 * Whether the input answers the command the run last gave (a timer: only once it is due). While
 * a conversion is to be recorded, that is the only answer: the step's own command comes after.
 */
export function answersLastCommand(state: RunState, input: Input): boolean {
  const command = commandOf(state);
  if (ANSWER[command.kind] !== input.kind) return false;
  return command.kind !== 'wait' || input.now >= command.until;
}

/**
 * An input the run did not ask for (a send result while waiting, a timer during a send, a
 * timer before its time): the run changes nothing and carries on, and the trace says so.
 */
export function unexpectedInput(ctx: RunContext, input: Input): Transition {
  const command = commandOf(ctx.state);
  record(ctx, {
    kind: 'input_unexpected',
    summary: `${input.kind} not expected ${describeWaitingOn(command, input)}; nothing changed`,
    detail: { input: input.kind, pending: command.kind },
  });
  return carryOn(ctx);
}

function describeWaitingOn(command: Command, input: Input): string {
  if (command.kind === 'wait' && input.kind === 'timer') {
    return `before the wait of ${command.stepId} ends at ${new Date(command.until).toISOString()}`;
  }
  return `while the run waits for the answer to ${command.kind}`;
}
