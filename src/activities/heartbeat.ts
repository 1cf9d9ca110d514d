import { Context } from '@temporalio/activity';

/**
 * Runs `work` while telling Temporal the attempt is alive, a few times per heartbeat timeout. A
 * worker that dies mid-send then shows within that timeout and the send is retried elsewhere,
 * instead of after the attempt's whole start-to-close timeout. Outside an activity (a direct
 * call), or for an attempt scheduled without a heartbeat timeout (runs started before it was
 * set), it just runs `work`.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = currentContext();
  const timeoutMs = context?.info.heartbeatTimeoutMs;
  if (!context || !timeoutMs) return work();
  const beat = setInterval(() => context.heartbeat(), Math.max(Math.floor(timeoutMs / 3), 100));
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}

function currentContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}
