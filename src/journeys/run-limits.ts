import { finish, runDeadline, type RunContext } from './run-context';
import type { Transition } from './run-types';

/** What ends a running run whatever it is doing: a cancel request, and the journey's maxDuration. */

export function cancelRun(ctx: RunContext, reason: string | undefined): Transition {
  return finish(ctx, 'cancelled', 'cancelled', reason ? { reason } : undefined);
}

/**
 * The run past its maxDuration ends at the first input at or after the deadline; every wait is
 * cut short at it, so that input comes at the deadline. null while there is time left.
 */
export function endIfPastMaxDuration(ctx: RunContext): Transition | null {
  const deadline = runDeadline(ctx);
  return deadline !== null && ctx.now >= deadline ? finish(ctx, 'exited', 'max_duration') : null;
}
