import type { RowIssue } from './row-issues';

/**
 * The checks an import row goes through before its schema, handed in by the caller so that a row
 * is held to exactly what a request body is held to: the API passes its input limits
 * (src/api/input-limits.ts: nesting, string lengths, NUL characters, lone surrogates, prototype
 * keys), which the schemas assume were checked first.
 */
export type LimitCheck = (value: unknown) => { path: string; message: string }[];

export interface RowRules {
  limits: LimitCheck;
  /** The largest event stored, its properties as JSON (src/routing/payload-limits.ts). */
  maxEventBytes: number;
}

/** The limits' issues on one row's line; `(root)` is the row itself. */
export function limitIssues(line: number, value: unknown, limits: LimitCheck): RowIssue[] {
  return limits(value).map((issue) => ({
    line,
    path: issue.path === '(root)' ? '(row)' : issue.path,
    message: issue.message,
  }));
}

/** An NDJSON line as a JSON object, or why it is not one. */
export function parseJsonLine(
  line: number,
  text: string,
): { value: Record<string, unknown> } | { issues: RowIssue[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the error: none of it is repeated.
    return { issues: [{ line, path: '(row)', message: 'is not valid JSON' }] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { issues: [{ line, path: '(row)', message: 'must be a JSON object' }] };
  }
  return { value: value as Record<string, unknown> };
}
