/**
 * The records of a CSV file (RFC 4180) as it streams in: fields separated by commas, records by
 * a line break (LF or CRLF), a field in double quotes may hold commas, line breaks and doubled
 * quotes (""). A record is numbered by the line it starts on, so a report points at it in an
 * editor. A record that breaks the rules — a quote inside an unquoted field, text after a closing
 * quote, a quote never closed, more than `maxChars` — is answered as bad with the rule it broke
 * (never its text), and reading goes on at the next line break, so one bad record costs one
 * record, not the rest of the file.
 */

export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

type State = 'field_start' | 'unquoted' | 'quoted' | 'quote_in_quoted' | 'skipping';

const QUOTE = /"/g;
const UNQUOTED_SPECIAL = /[",\r\n]/g;

export class CsvRecordReader {
  private state: State = 'field_start';
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private recordLine = 1;
  private recordChars = 0;
  private error = '';
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly maxChars: number) {}

  /** Lines read so far (the last one counted once it has started). */
  get lines(): number {
    return this.line;
  }

  push(chunk: Uint8Array | string): CsvRecord[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const records: CsvRecord[] = [];
    for (let i = 0; i < text.length;) {
      const next = this.atRecordStart() ? this.plainRecord(text, i, records) : this.run(text, i);
      if (next !== -1) {
        i = next;
        continue;
      }
      this.step(text[i] as string, records);
      i += 1;
    }
    return records;
  }

  /**
   * The plain characters of a field at once, up to the next one that means something (a quote
   * inside quotes; a comma, quote or line break outside): what stepping would append, line breaks
   * inside quotes counted. Returns where stepping goes on, or -1 to step from here.
   */
  private run(text: string, from: number): number {
    const quoted = this.state === 'quoted';
    if (!quoted && this.state !== 'unquoted' && this.state !== 'field_start') return -1;
    const special = quoted ? QUOTE : UNQUOTED_SPECIAL;
    special.lastIndex = from;
    const found = special.exec(text);
    const end = found ? found.index : text.length;
    if (end === from || this.recordChars + (end - from) > this.maxChars) return -1;
    const run = text.slice(from, end);
    if (quoted) {
      for (let i = run.indexOf('\n'); i !== -1; i = run.indexOf('\n', i + 1)) this.line += 1;
    } else {
      this.state = 'unquoted';
    }
    this.field += run;
    this.recordChars += run.length;
    return end;
  }

  private atRecordStart(): boolean {
    return this.state === 'field_start' && this.fields.length === 0 && this.field === '';
  }

  /**
   * The common case at once: a whole record in this chunk with no quote in it is its line split
   * at the commas, exactly what stepping through it would give (CRs outside quotes dropped).
   * Returns where the next record starts, or -1 to step through this one character by character.
   */
  private plainRecord(text: string, from: number, records: CsvRecord[]): number {
    const newline = text.indexOf('\n', from);
    if (newline === -1 || newline - from + 1 > this.maxChars) return -1;
    let segment = text.slice(from, newline);
    if (segment.includes('"')) return -1;
    if (segment.includes('\r')) segment = segment.replace(/\r/g, '');
    if (segment !== '') records.push({ line: this.recordLine, fields: segment.split(',') });
    this.line += 1;
    this.reset();
    return newline + 1;
  }

  end(): CsvRecord[] {
    const records = this.push(this.decoder.decode());
    if (this.state === 'quoted') this.fail('a quoted field is never closed');
    if (this.state === 'skipping') records.push({ line: this.recordLine, error: this.error });
    else if (this.state !== 'field_start' || this.fields.length > 0) this.finishRecord(records);
    this.reset();
    return records;
  }

  private step(char: string, records: CsvRecord[]): void {
    this.recordChars += 1;
    if (this.recordChars > this.maxChars && this.state !== 'skipping') {
      this.fail(`a record must be at most ${this.maxChars} characters`);
    }
    switch (this.state) {
      case 'skipping':
        if (char === '\n') {
          records.push({ line: this.recordLine, error: this.error });
          this.line += 1;
          this.reset();
        }
        return;
      case 'quoted':
        if (char === '"') this.state = 'quote_in_quoted';
        else {
          if (char === '\n') this.line += 1;
          this.field += char;
        }
        return;
      case 'quote_in_quoted':
        if (char === '"') {
          this.field += '"';
          this.state = 'quoted';
          return;
        }
        this.state = 'unquoted';
        if (char === ',' || char === '\n' || char === '\r') return this.delimiter(char, records);
        return this.fail('a closing quote must be followed by a comma or a line break');
      default:
        return this.plain(char, records);
    }
  }

  /** A character outside quotes (field_start or unquoted). */
  private plain(char: string, records: CsvRecord[]): void {
    if (char === ',' || char === '\n' || char === '\r') return this.delimiter(char, records);
    if (char === '"') {
      if (this.state === 'field_start') this.state = 'quoted';
      else this.fail('a quote inside an unquoted field (quote the whole field, doubling quotes)');
      return;
    }
    this.state = 'unquoted';
    this.field += char;
  }

  private delimiter(char: string, records: CsvRecord[]): void {
    // A CR counts only before its LF: CRLF ends a record like LF does.
    if (char === '\r') return;
    if (char === ',') {
      this.fields.push(this.field);
      this.field = '';
      this.state = 'field_start';
      return;
    }
    this.finishRecord(records);
    this.line += 1;
    this.reset();
  }

  private finishRecord(records: CsvRecord[]): void {
    this.fields.push(this.field);
    // A blank line is no record.
    if (this.fields.length > 1 || this.fields[0] !== '') {
      records.push({ line: this.recordLine, fields: this.fields });
    }
  }

  private fail(reason: string): void {
    this.error = reason;
    this.state = 'skipping';
    this.field = '';
    this.fields = [];
  }

  private reset(): void {
    this.state = 'field_start';
    this.field = '';
    this.fields = [];
    this.recordLine = this.line;
    this.recordChars = 0;
  }
}
