import { Context } from '@temporalio/activity';
import type { LogMetadata } from '@temporalio/common';

type Level = 'info' | 'warn' | 'error';

/**
 * The Temporal activity logger (it adds workflow and activity ids to every entry). Outside an
 * activity, e.g. when another module calls the function directly, entries are dropped rather
 * than failing the call. Callers pass ids and reasons only, never personal data.
 */
export function activityLog(level: Level, message: string, meta?: LogMetadata): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return;
  }
  context.log[level](message, meta);
}
