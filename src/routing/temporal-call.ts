import { describeFailure } from '../db/safe-error';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { RoutingDeps } from './types';

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Runs one Temporal call with a deadline. Without one, the SDK retries an unreachable server for
 * a long time; with one, the call fails and the router's circuit breaker opens (so only the calls
 * already in flight wait this long, not every event).
 */
export function withTemporalDeadline<T>(deps: RoutingDeps, call: () => Promise<T>): Promise<T> {
  const timeout = deps.temporalTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  return deps.temporal.withDeadline(Date.now() + timeout, call);
}

export function isWorkflowNotFound(error: unknown): boolean {
  return error instanceof WorkflowNotFoundError;
}

// gRPC status codes that mean "Temporal did not answer", not "Temporal said no".
const UNAVAILABLE_CODES = new Set([
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED: the server sheds load; backing off is the answer
  14, // UNAVAILABLE
]);

/**
 * Whether a failure means Temporal is unreachable (connection refused, unavailable, deadline
 * exceeded), as opposed to an answer (workflow not found, already started, bad request). The SDK
 * wraps the gRPC error in a ServiceError, so the cause chain is walked.
 */
export function isTemporalUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth += 1) {
    if (typeof e !== 'object') return false;
    const { code, name, cause } = e as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'number' && UNAVAILABLE_CODES.has(code)) return true;
    if (name === 'TransportError') return true;
    e = cause;
  }
  return false;
}

/** One cheap call that succeeds only when the server answers: the breaker's half-open probe. */
export async function probeTemporal(deps: RoutingDeps): Promise<void> {
  await withTemporalDeadline(deps, () =>
    deps.temporal.connection.workflowService.getSystemInfo({}),
  );
}

/** A short, PII-free description of a failure, for the routing_error column and logs. */
export function describeError(error: unknown): string {
  return describeFailure(error);
}
