/** One page of a source: its rows in cursor order and where the next page starts. */
export interface SourcePage {
  rows: unknown[];
  /** Each row's cursor value (rows[i]'s is cursors[i]), for the lag. */
  cursors: (string | null)[];
  /** The cursor after this page; null: the page moved nothing (no rows). */
  nextCursor: string | null;
  /** Whether another page may follow. */
  more: boolean;
}

/** Reads a source a page at a time from a cursor; closed once the run is over. */
export interface SourceReader {
  read(cursor: string): Promise<SourcePage>;
  close(): Promise<void>;
}

/**
 * The source failed: unreachable, refused, answered an error or something that is no page. The
 * message is what the run records and Temporal shows, so it names what went wrong (a status, an
 * SQLSTATE, a path in the answer) and never echoes a row's value, a URL's query or a secret.
 */
export class SourceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceFailure';
  }
}

/** A secret from the worker's environment; a missing one fails the run, naming the variable. */
export function secretFrom(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string {
  const value = env[name];
  if (!value) throw new SourceFailure(`environment variable ${name} is not set on the worker`);
  return value;
}
