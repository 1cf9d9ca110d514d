/**
 * A short description of a failure that is safe to log or store: drizzle's query errors carry the
 * statement's parameters in their message (emails, phone numbers, event properties), so for those
 * only the driver's own error (its name, SQLSTATE code and message, which name constraints and
 * columns, not values) is described.
 */
export function describeFailure(error: unknown, maxLength = 500): string {
  if (!(error instanceof Error)) return 'unknown error';
  const failure = isQueryError(error) && error.cause instanceof Error ? error.cause : error;
  const code = (failure as { code?: unknown }).code;
  const text = `${failure.name}${typeof code === 'string' ? ` (${code})` : ''}: ${failure.message}`;
  return text.slice(0, maxLength);
}

/** drizzle's DrizzleQueryError, recognised by shape so no driver module is loaded for it. */
function isQueryError(error: Error): error is Error & { query: string; params: unknown[] } {
  return 'query' in error && 'params' in error;
}
