/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON; the assertions check the shape. */
import { and, asc, count, eq, isNull } from 'drizzle-orm';
import { events, segmentMemberships } from '../../src/db/schema';
import { auth, createHarness, type Harness } from './harness';

/**
 * POST /v1/segments/:id/members/import: a CSV file of ids, streamed into Postgres by COPY and
 * applied in one statement, each entry and exit with its event; unknown ids reported by line; a
 * bad line refuses the whole file and stores nothing.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  for (const id of ['ada', 'bo', 'cy', 'dee']) {
    await h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload: {} });
  }
  for (const [id, kind] of [
    ['imported', 'manual'],
    ['refused', 'manual'],
  ] as const) {
    const res = await h.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: auth,
      payload: { id, name: id, kind },
    });
    expect(res.statusCode).toBe(201);
  }
  const rule = await h.inject({
    method: 'POST',
    url: '/v1/segments',
    headers: auth,
    payload: {
      id: 'ruled',
      name: 'Rule',
      kind: 'rule',
      where: { profile: { field: 'plan', op: 'eq', value: 'pro' } },
    },
  });
  expect(rule.statusCode).toBe(201);
});
afterAll(async () => h.close());

const upload = (segment: string, csv: string, mode?: string, type = 'text/csv') =>
  h.inject({
    method: 'POST',
    url: `/v1/segments/${segment}/members/import${mode ? `?mode=${mode}` : ''}`,
    headers: { ...auth, 'content-type': type },
    payload: csv,
  });

async function members(segmentId: string): Promise<string[]> {
  const rows = await h.db.db
    .select({ id: segmentMemberships.customerId })
    .from(segmentMemberships)
    .where(and(eq(segmentMemberships.segmentId, segmentId), isNull(segmentMemberships.exitedAt)))
    .orderBy(asc(segmentMemberships.customerId));
  return rows.map((row) => row.id);
}

async function membershipEvents(segmentId: string) {
  const rows = await h.db.db
    .select({ type: events.type, customerId: events.customerId, properties: events.properties })
    .from(events)
    .where(eq(events.source, 'segments'))
    .orderBy(asc(events.seq));
  return rows.filter((row) => row.properties.segment_id === segmentId);
}

describe('importing manual members from CSV', () => {
  it('adds the ids of the file, header, quotes, CRLF and blank lines allowed; unknown ids by line', async () => {
    const res = await upload('imported', 'customer_id\r\nada\r\n"bo"\r\n\r\nghost\r\nada\r\n');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      lines: 6,
      ids: 3,
      entered: 2,
      exited: 0,
      unknownLines: [5],
      unknownCount: 1,
    });
    expect(await members('imported')).toEqual(['ada', 'bo']);
    const written = await membershipEvents('imported');
    expect(written.map((e) => [e.type, e.customerId]).sort()).toEqual([
      ['segment_entered', 'ada'],
      ['segment_entered', 'bo'],
    ]);
    expect(written[0]?.properties).toEqual({ segment_id: 'imported', segment_version: 1 });
  });

  it('replace makes the file the member list; remove takes ids out; each change an event', async () => {
    const replaced = await upload('imported', 'bo\ncy', 'replace');
    expect(replaced.json()).toMatchObject({ entered: 1, exited: 1 });
    expect(await members('imported')).toEqual(['bo', 'cy']);
    const removed = await upload('imported', 'id\ncy\ndee\n', 'remove');
    expect(removed.json()).toMatchObject({ entered: 0, exited: 1, unknownCount: 0 });
    expect(await members('imported')).toEqual(['bo']);
    const types = (await membershipEvents('imported')).map((e) => `${e.type}:${e.customerId}`);
    expect(types.slice(2).sort()).toEqual([
      'segment_entered:cy',
      'segment_exited:ada',
      'segment_exited:cy',
    ]);
  });

  it('refuses a file with bad lines, naming each line, and stores nothing', async () => {
    const before = await h.db.db.select({ n: count() }).from(events);
    const res = await upload('refused', 'ada\nbo,cy\n\nnot an id\nbo\n' + 'x'.repeat(5_000));
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('validation_failed');
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual([
      'line.2',
      'line.4',
      'line.6',
    ]);
    expect(JSON.stringify(error)).not.toContain('not an id');
    expect(await members('refused')).toEqual([]);
    expect(await h.db.db.select({ n: count() }).from(events)).toEqual(before);
  });

  it('answers 404 for no segment, 409 for a rule segment, 415 for a body that is not CSV', async () => {
    expect((await upload('nope', 'ada')).statusCode).toBe(404);
    expect((await upload('ruled', 'ada')).statusCode).toBe(409);
    const json = await upload('imported', JSON.stringify(['ada']), undefined, 'application/json');
    expect(json.statusCode).toBe(415);
    expect((await upload('imported', 'ada', 'merge')).statusCode).toBe(400);
  });

  it('takes a file larger than the JSON body limit, streamed', async () => {
    const lines = Array.from({ length: 400_000 }, (_, i) => `missing-customer-${i}`);
    const csv = `${lines.join('\n')}\nada\n`;
    expect(csv.length).toBeGreaterThan(5 * 1024 * 1024);
    const res = await upload('imported', csv);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      lines: 400_001,
      ids: 400_001,
      entered: 1,
      unknownCount: 400_000,
    });
    expect(res.json().unknownLines).toHaveLength(100);
    expect(res.json().unknownLines[0]).toBe(1);
  });
});
