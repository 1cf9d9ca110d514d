import { CsvRecordReader, type CsvRecord } from './csv-records';
import { CsvHeaderError, CsvTable, type CsvLayout } from './csv-table';
import { LineReader } from './line-reader';
import type { RowIssue } from './row-issues';
import { parseJsonLine } from './row-rules';

export type ImportFormat = 'csv' | 'ndjson';

/** A file as its chunks arrive (a request stream), or already in hand. */
export type FileBody = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** A row of the file as an object of fields (not yet validated), or why it cannot be one. */
export type FileRow =
  { line: number; value: Record<string, unknown> } | { line: number; issues: RowIssue[] };

/**
 * The rows of an import file, a batch per chunk of the body as it arrives (never the whole file):
 * NDJSON one JSON object a line (blank lines skipped), CSV a header and then records (csv-table.ts
 * maps the columns). A CSV header that cannot be used throws CsvHeaderError before any row.
 */
export async function* fileRows(
  body: FileBody,
  format: ImportFormat,
  layout: CsvLayout,
  maxRowChars: number,
): AsyncGenerator<FileRow[]> {
  const reader = format === 'csv' ? csvRows(layout, maxRowChars) : ndjsonRows(maxRowChars);
  for await (const chunk of body) yield reader.push(chunk);
  yield reader.end();
}

interface RowReader {
  push(chunk: Uint8Array | string): FileRow[];
  end(): FileRow[];
}

function ndjsonRows(maxRowChars: number): RowReader {
  const lines = new LineReader(maxRowChars);
  const rows = (batch: ReturnType<LineReader['push']>): FileRow[] =>
    batch.flatMap((line): FileRow[] => {
      if ('overlong' in line) {
        const message = `must be at most ${maxRowChars} characters`;
        return [{ line: line.line, issues: [{ line: line.line, path: '(row)', message }] }];
      }
      if (line.text.trim() === '') return [];
      return [{ line: line.line, ...parseJsonLine(line.line, line.text) }];
    });
  return { push: (chunk) => rows(lines.push(chunk)), end: () => rows(lines.end()) };
}

function csvRows(layout: CsvLayout, maxRowChars: number): RowReader {
  const records = new CsvRecordReader(maxRowChars);
  let table: CsvTable | null = null;
  const rows = (batch: CsvRecord[]): FileRow[] =>
    batch.flatMap((record): FileRow[] => {
      if (!table) {
        // The first record is the header: it is no row.
        if ('error' in record)
          throw new CsvHeaderError([{ path: 'header', message: record.error }]);
        table = new CsvTable(record.fields, layout);
        return [];
      }
      const { line } = record;
      if ('error' in record)
        return [{ line, issues: [{ line, path: '(row)', message: record.error }] }];
      return [{ line, ...table.object(line, record.fields) }];
    });
  return { push: (chunk) => rows(records.push(chunk)), end: () => rows(records.end()) };
}
