/**
 * The lines of a file as it streams in, numbered from 1, for NDJSON: only the chunk at hand and
 * the line it cuts are held, never the file. A line longer than `maxChars` is not kept: what
 * follows of it is skipped up to its line break, and it is answered as overlong, so a file of one
 * endless line cannot fill memory.
 */

export type Line = { line: number; text: string } | { line: number; overlong: true };

export class LineReader {
  lines = 0;
  private partial = '';
  private overlong = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly maxChars: number) {}

  /** The complete lines of this chunk (a line cut by the chunk waits for the next one). */
  push(chunk: Uint8Array | string): Line[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.take(text, false);
  }

  /** The last line, when the file does not end in a line break. */
  end(): Line[] {
    return this.take(this.decoder.decode(), true);
  }

  private take(text: string, last: boolean): Line[] {
    const lines: Line[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) break;
      lines.push(this.complete(this.partial + text.slice(start, newline)));
      this.partial = '';
      this.overlong = false;
      start = newline + 1;
    }
    if (!this.overlong) {
      this.partial += text.slice(start);
      if (this.partial.length > this.maxChars) {
        this.overlong = true;
        this.partial = '';
      }
    }
    if (last && (this.partial.length > 0 || this.overlong)) {
      lines.push(this.complete(this.partial));
      this.partial = '';
      this.overlong = false;
    }
    return lines;
  }

  private complete(raw: string): Line {
    this.lines += 1;
    if (this.overlong || raw.length > this.maxChars) return { line: this.lines, overlong: true };
    return { line: this.lines, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw };
  }
}
