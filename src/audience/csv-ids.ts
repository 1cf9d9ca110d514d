/**
 * A CSV file of customer ids, one a line, read as it streams in: the lines never sit in memory
 * whole (a million ids are some 20 MB), only the batch of the chunk at hand. The first line may
 * be a header (`id`, `customer_id`); blank lines are skipped; a field may be quoted ("c-1").
 * A line that is not one customer id is a bad line, reported by its number (1-based, the header
 * counted), never by its text: the caller refuses the file and stores nothing.
 */

export interface IdLine {
  line: number;
  id: string;
}

export interface BadLine {
  line: number;
  reason: string;
}

/** The customer id rule of the API (src/contract/common.ts customerIdSchema). */
const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9_.:|-]{0,199}$/;
const HEADERS = new Set(['id', 'customer_id', 'customerid', 'customer id']);
/** Longer than any id with quotes and padding: the rest of such a line is not kept. */
const MAX_LINE_CHARS = 1_024;
/** Bad lines named in the answer; the count covers the rest. */
export const BAD_LINES_SHOWN = 100;

export class CsvIdReader {
  readonly bad: BadLine[] = [];
  badCount = 0;
  lines = 0;
  private partial = '';
  private overlong = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly maxLines: number) {}

  /** The ids of the complete lines in this chunk (a line cut by the chunk waits for the next). */
  push(chunk: Uint8Array | string): IdLine[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.take(text, false);
  }

  /** The last line, when the file does not end in a newline. */
  end(): IdLine[] {
    return this.take(this.decoder.decode(), true);
  }

  get tooManyLines(): boolean {
    return this.lines > this.maxLines;
  }

  private take(text: string, last: boolean): IdLine[] {
    const ids: IdLine[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) break;
      this.complete(this.partial + text.slice(start, newline), ids);
      this.partial = '';
      this.overlong = false;
      start = newline + 1;
    }
    const rest = text.slice(start);
    if (!this.overlong) {
      this.partial += rest;
      if (this.partial.length > MAX_LINE_CHARS) {
        this.overlong = true;
        this.partial = this.partial.slice(0, MAX_LINE_CHARS + 1);
      }
    }
    if (last && this.partial.length > 0) {
      this.complete(this.partial, ids);
      this.partial = '';
    }
    return ids;
  }

  private complete(raw: string, ids: IdLine[]): void {
    this.lines += 1;
    if (this.lines > this.maxLines) return;
    const line = this.lines;
    const field = unquote(raw.replace(/\r$/, '').trim());
    if (field === '') return;
    if (line === 1 && HEADERS.has(field.toLowerCase())) return;
    if (raw.length > MAX_LINE_CHARS) return this.refuse(line, 'line too long for a customer id');
    if (field.includes(',')) return this.refuse(line, 'one customer id per line');
    if (!CUSTOMER_ID.test(field)) {
      return this.refuse(
        line,
        'not a customer id: 1-200 characters, letters, digits, "_", ".", ":", "|" or "-"',
      );
    }
    ids.push({ line, id: field });
  }

  private refuse(line: number, reason: string): void {
    this.badCount += 1;
    if (this.bad.length < BAD_LINES_SHOWN) this.bad.push({ line, reason });
  }
}

/** "c-1" → c-1; a field with a quote inside is left as it is (and fails the id rule). */
function unquote(field: string): string {
  if (field.length >= 2 && field.startsWith('"') && field.endsWith('"')) {
    const inner = field.slice(1, -1);
    if (!inner.includes('"')) return inner.trim();
  }
  return field;
}
