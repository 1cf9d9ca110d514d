/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { CsvIdReader } from '../../src/audience/csv-ids';
import { events, segmentMemberships } from '../../src/db/schema';
import { auth, createHarness, type Harness } from './harness';

/**
 * The CSV import's boundary. The reader gives the same ids and bad lines however the file is cut
 * into chunks (a line, a CRLF or a multi-byte character split between two), and the endpoint
 * answers any body with a 2xx or a 4xx whose issues name lines, never a 5xx, storing nothing
 * when it refuses.
 */

const line = fc.oneof(
  fc.constantFrom('ada', 'bo', '"cy"', ' dee ', '', 'id', 'ghost-1', 'a,b', 'é', '"x"y"', '-no'),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:|-]{0,30}$/),
  fc.string({ maxLength: 40, unit: 'binary' }),
);
const file = fc
  .tuple(fc.array(line, { maxLength: 60 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, eol, trailing]) => lines.join(eol) + (trailing ? eol : ''));

function readAll(chunks: Uint8Array[]) {
  const reader = new CsvIdReader(1_000);
  const ids = [...chunks.flatMap((chunk) => reader.push(chunk)), ...reader.end()];
  return { ids, bad: reader.bad, lines: reader.lines };
}

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

describe('the CSV id reader', () => {
  it('reads the same ids and bad lines however the bytes are chunked', () => {
    fc.assert(
      fc.property(file, fc.array(fc.nat(), { maxLength: 20 }), (text, cuts) => {
        const bytes = new TextEncoder().encode(text);
        expect(readAll(cut(bytes, cuts))).toEqual(readAll([bytes]));
      }),
      { numRuns: 500 },
    );
  });

  it('numbers lines from 1, the header and blank lines counted', () => {
    expect(readAll([new TextEncoder().encode('id\n\nada\nbad id\n"bo"')])).toEqual({
      ids: [
        { line: 3, id: 'ada' },
        { line: 5, id: 'bo' },
      ],
      bad: [{ line: 4, reason: expect.stringMatching(/^not a customer id/) }],
      lines: 5,
    });
  });
});

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  await h.inject({ method: 'PUT', url: '/v1/customers/ada', headers: auth, payload: {} });
  await h.inject({
    method: 'POST',
    url: '/v1/segments',
    headers: auth,
    payload: { id: 'fuzz_import', name: 'Fuzz', kind: 'manual' },
  });
});
afterAll(async () => h.close());

const stored = async () => ({
  members: (await h.db.db.select({ n: count() }).from(segmentMemberships))[0]?.n,
  events: (await h.db.db.select({ n: count() }).from(events))[0]?.n,
});

describe('POST /v1/segments/:id/members/import with any body', () => {
  it('answers 2xx or a 4xx naming lines, and stores nothing when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(
        file,
        fc.constantFrom('add', 'remove', 'replace', 'bogus'),
        fc.constantFrom('text/csv', 'text/csv; charset=utf-8', 'text/plain'),
        async (csv, mode, type) => {
          const before = await stored();
          const res = await h.inject({
            method: 'POST',
            url: `/v1/segments/fuzz_import/members/import?mode=${mode}`,
            headers: { ...auth, 'content-type': type },
            payload: csv,
          });
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const error = res.json().error;
            expect(error.code).toEqual(expect.any(String));
            for (const issue of error.issues ?? []) {
              expect(issue.path).toMatch(/^(line\.\d+|mode|[a-z]+)$/);
            }
            expect(await stored()).toEqual(before);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
