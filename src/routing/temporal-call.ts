import { WorkflowNotFoundError } from '@temporalio/client';
import type { RoutingDeps } from './types';

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Runs one Temporal call with a deadline. Without one, the SDK retries an unreachable server for
 * a long time and an API request would hang; with one, the event falls back to the outbox.
 */
export function withTemporalDeadline<T>(deps: RoutingDeps, call: () => Promise<T>): Promise<T> {
  const timeout = deps.temporalTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  return deps.temporal.withDeadline(Date.now() + timeout, call);
}

export function isWorkflowNotFound(error: unknown): boolean {
  return error instanceof WorkflowNotFoundError;
}

/** A short, PII-free description of a failure, for the routing_error column and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return 'unknown error';
}
