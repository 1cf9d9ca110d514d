import { valueAt } from './json-path';
import { SourceFailure, type SourcePage, type SourceReader } from './source-reader';

export interface HttpSourceOptions {
  url: string;
  /** A bearer token (from the environment), sent as `authorization: Bearer …`. */
  token?: string;
  cursorParam: string;
  rowsPath: string;
  nextCursorPath?: string;
  cursorField: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * An HTTP JSON source: GET the URL with the cursor as a query parameter; the rows are the array
 * at `rowsPath`, the next page's cursor is at `nextCursorPath` (absent or null there: the last
 * page), else the last row's cursor field. Anything but a 2xx JSON answer with that array fails
 * the run, described by status or shape only (the URL may carry a key, the body a customer).
 */
export function httpSource(options: HttpSourceOptions): SourceReader {
  const call = options.fetch ?? fetch;
  return {
    async read(cursor: string): Promise<SourcePage> {
      const url = new URL(options.url);
      url.searchParams.set(options.cursorParam, cursor);
      const body = await fetchJson(call, url, options);
      const rows = valueAt(body, options.rowsPath);
      if (!Array.isArray(rows)) {
        throw new SourceFailure(
          `the source's answer has no array at "${options.rowsPath || '(the answer)'}"`,
        );
      }
      const cursors = rows.map((row) => cursorText(valueAt(row, options.cursorField)));
      const last = cursors.at(-1) ?? null;
      const next = options.nextCursorPath
        ? cursorText(valueAt(body, options.nextCursorPath))
        : null;
      const nextCursor = next ?? last;
      const more =
        rows.length > 0 &&
        nextCursor !== null &&
        nextCursor !== cursor &&
        (options.nextCursorPath ? next !== null : true);
      return { rows, cursors, nextCursor, more };
    },
    close: () => Promise.resolve(),
  };
}

async function fetchJson(
  call: typeof fetch,
  url: URL,
  options: HttpSourceOptions,
): Promise<unknown> {
  let response: Response;
  try {
    response = await call(url, {
      headers: {
        accept: 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    throw new SourceFailure(`the source did not answer: ${networkReason(error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new SourceFailure(`the source answered HTTP ${response.status}`);
  }
  const text = await response.text().catch(() => {
    throw new SourceFailure('the source broke off its answer');
  });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SourceFailure('the source answered something that is not JSON');
  }
}

/** A fetch failure's kind: its code (ECONNREFUSED, a timeout), never its message's URL. */
function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : 'the connection failed';
}

function cursorText(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value instanceof Date) return value.toISOString();
  return null;
}
