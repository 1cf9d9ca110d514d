import { inspect } from 'node:util';

export interface EventuallyOptions {
  /** How long to keep asking before the test fails (default 20 s). */
  timeoutMs?: number;
  /** Pause between two asks (default 25 ms). */
  intervalMs?: number;
  /**
   * What is awaited, for the failure message: "run journey:x:ada reaches step nudge". Without
   * it the message quotes the condition's source.
   */
  describe?: string;
}

/**
 * Asks `condition` again until it returns a truthy value and resolves with that value. On
 * timeout it REJECTS, naming what it waited for, the last value seen and the last error thrown:
 * a poll never falls through silently. An error thrown by `condition` counts as "not yet".
 */
export async function eventually<T>(
  condition: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<Exclude<T, null | undefined | false | 0 | ''>> {
  const { timeoutMs = 20_000, intervalMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let lastValue: unknown;
  let lastError: unknown;
  for (;;) {
    attempts += 1;
    try {
      const value = await condition();
      if (value) return value as Exclude<T, null | undefined | false | 0 | ''>;
      lastValue = value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const what = options.describe ?? `condition ${sourceOf(condition)}`;
  const seen =
    lastError === undefined
      ? `last value: ${inspect(lastValue, { depth: 3, breakLength: Infinity })}`
      : `last error: ${lastError instanceof Error ? lastError.message : inspect(lastError)}`;
  throw new Error(
    `timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${what}; ${seen}`,
    lastError === undefined ? undefined : { cause: lastError },
  );
}

function sourceOf(condition: () => unknown): string {
  const source = condition.toString().replace(/\s+/g, ' ');
  return source.length > 160 ? `${source.slice(0, 157)}...` : source;
}
