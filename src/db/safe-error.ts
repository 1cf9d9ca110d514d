/**
 * A short description of a failure that is safe to log or store: drizzle's query errors carry the
 * statement's parameters in their message (emails, phone numbers, event properties), so for those
 * only the driver's own error (its name, SQLSTATE code and message) is described. Postgres names
 * constraints, tables and columns in its messages, and quotes the offending value after a colon
 * (`invalid input syntax for type integer: "ada@example.com"`): such values are left out.
 */
export function describeFailure(error: unknown, maxLength = 500): string {
  if (!(error instanceof Error)) return 'unknown error';
  const failure = isQueryError(error) && error.cause instanceof Error ? error.cause : error;
  const code = (failure as { code?: unknown }).code;
  const message = isServerError(failure) ? withoutValues(failure.message) : failure.message;
  const text = `${failure.name}${typeof code === 'string' ? ` (${code})` : ''}: ${message}`;
  return text.slice(0, maxLength);
}

/** A drizzle query error, or an error Postgres itself answered with. */
export function isDatabaseFailure(error: unknown): error is Error {
  return error instanceof Error && (isQueryError(error) || isServerError(error));
}

/** Everything quoted after the message's first colon is a value the statement was given. */
function withoutValues(message: string): string {
  const colon = message.indexOf(': ');
  if (colon < 0) return message;
  return message.slice(0, colon + 2) + message.slice(colon + 2).replace(/"(?:[^"]|"")*"/g, '"…"');
}

/** postgres.js's PostgresError: the server's answer, with a severity and an SQLSTATE code. */
function isServerError(error: Error): error is Error & { severity: string; code: string } {
  const { severity, code } = error as { severity?: unknown; code?: unknown };
  return typeof severity === 'string' && typeof code === 'string';
}

/** drizzle's DrizzleQueryError, recognised by shape so no driver module is loaded for it. */
function isQueryError(error: Error): error is Error & { query: string; params: unknown[] } {
  return 'query' in error && 'params' in error;
}
