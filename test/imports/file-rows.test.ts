/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, expect.stringMatching) are typed any. */
import { CsvRecordReader } from '../../src/imports/csv-records';
import { CsvHeaderError } from '../../src/imports/csv-table';
import { EVENT_CSV_LAYOUT } from '../../src/imports/event-rows';
import { fileRows, type FileRow, type ImportFormat } from '../../src/imports/file-rows';
import { LineReader } from '../../src/imports/line-reader';

/** Reading an import file: lines and CSV records numbered by where they start, bad ones named. */

async function rowsOf(format: ImportFormat, chunks: string[], maxChars = 1_000) {
  const rows: FileRow[] = [];
  for await (const batch of fileRows(chunks, format, EVENT_CSV_LAYOUT, maxChars)) {
    rows.push(...batch);
  }
  return rows;
}

describe('LineReader', () => {
  it('numbers lines across chunks, CRLF or LF, the last one without a break', () => {
    const reader = new LineReader(100);
    const lines = [...reader.push('a\r\nb'), ...reader.push('c\n\nd'), ...reader.end()];
    expect(lines).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'bc' },
      { line: 3, text: '' },
      { line: 4, text: 'd' },
    ]);
  });

  it('answers an overlong line as such without keeping it, and goes on after it', () => {
    const reader = new LineReader(5);
    const lines = [
      ...reader.push('ok\n0123'),
      ...reader.push('456789'),
      ...reader.push('more\nnext'),
      ...reader.end(),
    ];
    expect(lines).toEqual([
      { line: 1, text: 'ok' },
      { line: 2, overlong: true },
      { line: 3, text: 'next' },
    ]);
  });
});

describe('CsvRecordReader', () => {
  const read = (chunks: string[], maxChars = 1_000) => {
    const reader = new CsvRecordReader(maxChars);
    return [...chunks.flatMap((chunk) => reader.push(chunk)), ...reader.end()];
  };

  it('reads quoted fields with commas, doubled quotes and line breaks, numbered by their start', () => {
    expect(read(['a,"b, c",d\r\n"multi\nline","say ""hi""",\n\nlast,row'])).toEqual([
      { line: 1, fields: ['a', 'b, c', 'd'] },
      { line: 2, fields: ['multi\nline', 'say "hi"', ''] },
      { line: 5, fields: ['last', 'row'] },
    ]);
  });

  it('gives the same records however the file is cut into chunks', () => {
    const text = 'id,"x\n""y"""\r\n2,"a,b"\n3,c';
    const whole = read([text]);
    for (let cut = 0; cut <= text.length; cut += 1) {
      expect(read([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
  });

  it('answers a record that breaks the rules by its line and reads on at the next line', () => {
    expect(read(['ok,1\nab"c,2\n"x"y,3\nfine,4\n"never closed,5\nend'])).toEqual([
      { line: 1, fields: ['ok', '1'] },
      { line: 2, error: expect.stringMatching(/quote inside an unquoted field/) },
      { line: 3, error: expect.stringMatching(/closing quote must be followed/) },
      { line: 4, fields: ['fine', '4'] },
      { line: 5, error: 'a quoted field is never closed' },
    ]);
  });

  it('refuses a record longer than the limit and reads on after it', () => {
    expect(read(['a,b\n0123456789,x\nc,d\n'], 8)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, error: 'a record must be at most 8 characters' },
      { line: 3, fields: ['c', 'd'] },
    ]);
  });
});

describe('fileRows', () => {
  it('reads NDJSON objects, skipping blank lines, naming lines that are no object', async () => {
    const rows = await rowsOf('ndjson', ['{"id":"e1"}\n\n', '  \n[1]\n{"id":\n"str"\n{"id":"e2"}']);
    expect(rows).toEqual([
      { line: 1, value: { id: 'e1' } },
      { line: 4, issues: [{ line: 4, path: '(row)', message: 'must be a JSON object' }] },
      { line: 5, issues: [{ line: 5, path: '(row)', message: 'is not valid JSON' }] },
      { line: 6, issues: [{ line: 6, path: '(row)', message: 'must be a JSON object' }] },
      { line: 7, value: { id: 'e2' } },
    ]);
  });

  it('maps CSV columns by name: aliases, JSON properties, other columns as properties', async () => {
    const rows = await rowsOf('csv', [
      'Event ID,customer_id,TYPE,occurred-at,properties,plan\n',
      'e1,ada,login,2026-01-01T00:00:00Z,"{""a"": 1, ""plan"": ""x""}",pro\n',
      'e2,ada,login,,,\n',
      'e3,ada\n',
      'e4,ada,login,,[1],\n',
    ]);
    expect(rows).toEqual([
      {
        line: 2,
        value: {
          id: 'e1',
          customerId: 'ada',
          type: 'login',
          occurredAt: '2026-01-01T00:00:00Z',
          properties: { a: 1, plan: 'pro' },
        },
      },
      { line: 3, value: { id: 'e2', customerId: 'ada', type: 'login' } },
      { line: 4, issues: [{ line: 4, path: '(row)', message: 'has 2 fields; the header has 6' }] },
      { line: 5, issues: [{ line: 5, path: 'properties', message: 'must be a JSON object' }] },
    ]);
  });

  it('refuses a header without a required column, or naming a field twice', async () => {
    const missing = rowsOf('csv', ['id,type\ne1,login\n']);
    await expect(missing).rejects.toBeInstanceOf(CsvHeaderError);
    await expect(missing).rejects.toMatchObject({
      issues: [{ path: 'header', message: 'must have a column for customerId' }],
    });
    await expect(rowsOf('csv', ['id,customer_id,customerId,type\n'])).rejects.toMatchObject({
      issues: [{ path: 'header.3', message: 'names a field another column names' }],
    });
    await expect(rowsOf('csv', ['id,customer_id,type,\n'])).rejects.toMatchObject({
      issues: [{ path: 'header.4', message: expect.stringMatching(/column name/) }],
    });
  });

  it('answers an empty file with no rows', async () => {
    expect(await rowsOf('csv', [])).toEqual([]);
    expect(await rowsOf('ndjson', ['\n\n'])).toEqual([]);
  });
});
