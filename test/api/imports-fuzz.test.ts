/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { customers, events } from '../../src/db/schema';
import { CsvRecordReader } from '../../src/imports/csv-records';
import { LineReader } from '../../src/imports/line-reader';
import { auth, createHarness, type Harness } from './harness';

/**
 * The import's boundary. The readers give the same lines and records however the bytes are cut
 * into chunks (a CRLF, a quoted field or a multi-byte character split between two), and the
 * endpoints answer any body with a 200 whose counts add up and whose issues name lines and
 * fields, or a 4xx that stored nothing, never a 5xx.
 */

const eventLine = fc.oneof(
  fc
    .record({
      id: fc.stringMatching(/^f-[a-z0-9]{1,6}$/),
      customerId: fc.constantFrom('ada', 'bo', 'ghost', 'bad id', ''),
      type: fc.constantFrom('purchase', 'login', '1nope', ''),
      occurredAt: fc.constantFrom(
        undefined,
        '2026-01-01T00:00:00Z',
        'soon',
        '9999-12-31T23:59:59Z',
      ),
      properties: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
    })
    .map((row) => JSON.stringify(row)),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom('', '{', '[]', 'null', '"x"', '{"__proto__":{}}', 'id,customer_id,type', 'a,"b'),
  fc.string({ maxLength: 40, unit: 'binary' }),
);
const file = fc
  .tuple(fc.array(eventLine, { maxLength: 25 }), fc.constantFrom('\n', '\r\n'))
  .map(([lines, eol]) => lines.join(eol));

function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

describe('the import readers', () => {
  it('read the same lines and records however the bytes are chunked', () => {
    fc.assert(
      fc.property(file, fc.array(fc.nat(), { maxLength: 20 }), (text, cuts) => {
        const bytes = new TextEncoder().encode(text);
        const read = (chunks: Uint8Array[]) => {
          const lines = new LineReader(200);
          const records = new CsvRecordReader(200);
          return {
            lines: [...chunks.flatMap((c) => lines.push(c)), ...lines.end()],
            records: [...chunks.flatMap((c) => records.push(c)), ...records.end()],
          };
        };
        expect(read(cut(bytes, cuts))).toEqual(read([bytes]));
      }),
      { numRuns: 500 },
    );
  });
});

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  for (const id of ['ada', 'bo']) {
    await h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload: {} });
  }
});
afterAll(async () => h.close());

const counted = async (table: typeof events | typeof customers) =>
  (await h.db.db.select({ n: count() }).from(table))[0]?.n ?? 0;

describe('POST /v1/imports/* with any body', () => {
  it('answers counts that add up and issues naming lines, or a 4xx storing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        file,
        fc.constantFrom('events', 'customers'),
        fc.constantFrom(
          'application/x-ndjson',
          'text/csv',
          'text/csv; charset=utf-8',
          'text/plain',
        ),
        fc.constantFrom('', '?trigger=false', '?trigger=1', '?source=crm', '?source=%20', '?x=1'),
        async (body, kind, type, query) => {
          const table = kind === 'events' ? events : customers;
          const before = await counted(table);
          const res = await h.inject({
            method: 'POST',
            url: `/v1/imports/${kind}${query}`,
            headers: { ...auth, 'content-type': type },
            payload: body,
          });
          expect(res.statusCode).toBeLessThan(500);
          const after = await counted(table);
          if (res.statusCode !== 200) {
            expect(res.json().error.code).toEqual(expect.any(String));
            expect(after).toBe(before);
            return;
          }
          const outcome = res.json();
          const stored = kind === 'events' ? outcome.imported : outcome.created;
          const kept = kind === 'events' ? outcome.duplicates : outcome.updated + outcome.unchanged;
          expect(stored + kept + outcome.rejected).toBe(outcome.rows);
          expect(after - before).toBe(stored);
          for (const issue of outcome.rejectedRows) {
            expect(issue.line).toBeGreaterThanOrEqual(1);
            expect(issue.path).toEqual(expect.any(String));
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
