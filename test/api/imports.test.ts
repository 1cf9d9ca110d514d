/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are read as loose JSON; the assertions check the shape. */
import { asc, count, eq, like } from 'drizzle-orm';
import { customers, events } from '../../src/db/schema';
import { auth, createHarness, type Harness } from './harness';

/**
 * POST /v1/imports/events and /v1/imports/customers over HTTP: a file with good and bad rows
 * stores the good ones and names each bad one by line and field; the same file again stores
 * nothing new; a header that cannot be used stores nothing.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  for (const id of ['ada', 'bo']) {
    await h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload: {} });
  }
});
afterAll(async () => h.close());

const upload = (kind: string, body: string, type: string, query = '') =>
  h.inject({
    method: 'POST',
    url: `/v1/imports/${kind}${query}`,
    headers: { ...auth, 'content-type': type },
    payload: body,
  });
const ndjson = (rows: (object | string)[]) =>
  rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n') + '\n';

async function storedEvents(prefix: string) {
  return h.db.db
    .select()
    .from(events)
    .where(like(events.id, `${prefix}%`))
    .orderBy(asc(events.seq));
}

describe('POST /v1/imports/events', () => {
  const file = ndjson([
    {
      id: 'n-1',
      customerId: 'ada',
      type: 'purchase',
      occurredAt: '2025-03-01T10:00:00Z',
      properties: { total: 40 },
    },
    '{"id": "n-2", "customerId": "ada"',
    { id: 'n-3', customerId: 'bo', type: 'page_view' },
    '',
    { id: 'n-4', customerId: 'bo', type: 'purchase', occurredAt: 'yesterday' },
    { id: 'n-5', customerId: 'ghost', type: 'purchase' },
    { id: 'n-6', customerId: 'ada', type: '9lives', colour: 'vermilion' },
    { id: 'n-1', customerId: 'ada', type: 'purchase', properties: { total: 999 } },
    '[1, 2]',
    { id: 'n-7', customerId: 'bo', type: 'login', properties: { note: 'a\u0000b' } },
  ]);

  it('stores the good rows and names each bad one by line and field, never its value', async () => {
    const res = await upload('events', file, 'application/x-ndjson');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ rows: 9, imported: 2, duplicates: 1, rejected: 6 });
    expect(body.triggersJourneys).toBe(false);
    expect(body.rejectedRows).toEqual([
      { line: 2, path: '(row)', message: 'is not valid JSON' },
      { line: 5, path: 'occurredAt', message: expect.stringMatching(/ISO-8601/) },
      { line: 6, path: 'customerId', message: expect.stringMatching(/no customer/) },
      { line: 7, path: 'type', message: expect.stringMatching(/must start with a letter/) },
      { line: 7, path: 'colour', message: 'is not a known field' },
      { line: 9, path: '(row)', message: 'must be a JSON object' },
      { line: 10, path: 'properties.note', message: expect.stringMatching(/NUL/) },
    ]);
    expect(res.body).not.toMatch(/vermilion|ghost|yesterday/);
    const stored = await storedEvents('n-');
    expect(stored.map((e) => [e.id, e.customerId, e.type, e.source, e.audienceOnly])).toEqual([
      ['n-1', 'ada', 'purchase', 'import', true],
      ['n-3', 'bo', 'page_view', 'import', true],
    ]);
    // The first copy of a repeated id is the one stored; imported history is in the outbox.
    expect(stored[0]).toMatchObject({
      properties: { total: 40 },
      occurredAt: new Date('2025-03-01T10:00:00Z'),
      routedAt: null,
    });
  });

  it('stores nothing twice when the same file is imported again', async () => {
    const res = await upload('events', file, 'application/x-ndjson');
    expect(res.json()).toMatchObject({ rows: 9, imported: 0, duplicates: 3, rejected: 6 });
    expect(await storedEvents('n-')).toHaveLength(2);
  });

  it('reads CSV: known columns, other columns as string properties, quoted fields', async () => {
    const csv = [
      'event_id,Customer ID,type,occurred_at,total,note,properties',
      'c-1,ada,purchase,2025-04-01T08:00:00Z,59.5,"two, words","{""sku"": ""L-1""}"',
      'c-2,bo,page_view,,,"a line\nbreak",',
      'c-3,bo,purchase,2025-04-02,1,x,',
      'c-4,ada,"purchase"x,,,,',
      'c-5,ada,login',
      'c-6,bo,login,,,,"{""not"": json}"',
      'c-7,ada,login,,,,',
    ].join('\r\n');
    const res = await upload('events', csv, 'text/csv; charset=utf-8', '?source=ecommerce');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 7, imported: 3, rejected: 4 });
    expect(res.json().rejectedRows).toEqual([
      { line: 5, path: 'occurredAt', message: expect.stringMatching(/ISO-8601/) },
      { line: 6, path: '(row)', message: expect.stringMatching(/closing quote/) },
      { line: 7, path: '(row)', message: 'has 3 fields; the header has 7' },
      { line: 8, path: 'properties', message: 'must be a JSON object' },
    ]);
    const stored = await storedEvents('c-');
    expect(stored.map((e) => [e.id, e.source, e.properties])).toEqual([
      ['c-1', 'ecommerce', { sku: 'L-1', total: '59.5', note: 'two, words' }],
      ['c-2', 'ecommerce', { note: 'a line\nbreak' }],
      ['c-7', 'ecommerce', {}],
    ]);
  });

  it('refuses a CSV header without the required columns and stores nothing', async () => {
    const res = await upload('events', 'id,customer_id\nh-1,ada\n', 'text/csv');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'validation_failed',
      issues: [{ path: 'header', message: 'must have a column for type' }],
    });
    expect(await storedEvents('h-')).toHaveLength(0);
  });

  it('refuses a JSON body and a trigger that is no boolean, naming the field', async () => {
    const json = await h.inject({
      method: 'POST',
      url: '/v1/imports/events',
      headers: auth,
      payload: { items: [] },
    });
    expect(json.statusCode).toBe(415);
    const trigger = await upload('events', '', 'application/x-ndjson', '?trigger=yes');
    expect(trigger.statusCode).toBe(400);
    expect(trigger.json().error.issues).toEqual([{ path: 'trigger', message: expect.any(String) }]);
  });

  it('routes the events like the events API with trigger=true', async () => {
    const res = await upload(
      'events',
      ndjson([{ id: 't-1', customerId: 'ada', type: 'signed_up' }]),
      'application/x-ndjson',
      '?trigger=true',
    );
    expect(res.json()).toMatchObject({ imported: 1, triggersJourneys: true });
    expect(await storedEvents('t-')).toMatchObject([{ audienceOnly: false, routedAt: null }]);
  });
});

describe('POST /v1/imports/customers', () => {
  const customer = async (id: string) => {
    const [row] = await h.db.db.select().from(customers).where(eq(customers.id, id));
    return row;
  };

  it('creates and merges profiles as PUT does, naming each bad field by line', async () => {
    await h.inject({
      method: 'PUT',
      url: '/v1/customers/cy',
      headers: auth,
      payload: { email: 'cy@example.com', attributes: { plan: 'free', city: 'Lyon' } },
    });
    const file = ndjson([
      { id: 'cy', attributes: { plan: 'pro', city: null }, consent: { sms: 'opted_in' } },
      { id: 'dee', email: 'dee@example.com', timeZone: 'Europe/Berlin', attributes: { n: 1 } },
      { id: 'eve', email: 'not an address', phone: '555' },
      { id: 'fay!', locale: 'xx_YY_ZZ' },
      { email: 'nobody@example.com' },
    ]);
    const res = await upload('customers', file, 'application/x-ndjson');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      rows: 5,
      created: 1,
      updated: 1,
      unchanged: 0,
      rejected: 3,
    });
    expect(res.json().rejectedRows).toEqual([
      { line: 3, path: 'email', message: 'must be an email address' },
      { line: 3, path: 'phone', message: expect.stringMatching(/E\.164/) },
      { line: 4, path: 'locale', message: expect.stringMatching(/BCP 47/) },
      { line: 4, path: 'id', message: expect.stringMatching(/1-200 characters/) },
      { line: 5, path: 'id', message: expect.any(String) },
    ]);
    expect(res.body).not.toMatch(/not an address|nobody/);
    expect(await customer('cy')).toMatchObject({
      email: 'cy@example.com',
      attributes: { plan: 'pro' },
      consent: { sms: 'opted_in' },
    });
    expect((await customer('cy'))?.attributes).not.toHaveProperty('city');
    expect(await customer('dee')).toMatchObject({
      email: 'dee@example.com',
      timeZone: 'Europe/Berlin',
      attributes: { n: 1 },
    });
    expect(await customer('eve')).toBeUndefined();

    const again = await upload('customers', file, 'application/x-ndjson');
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 2, rejected: 3 });
  });

  it('reads CSV columns: consent, attributes, an empty cell leaves the field alone', async () => {
    const csv = [
      'customer_id,email,time_zone,consent_email,first_name,vip',
      'gus,gus@example.com,America/New_York,opted_out,Gus,yes',
      'dee,,,,Dee,',
      'gus,,,,Gustav,',
      'hal,hal@example.com,Mars/Olympus,,,',
    ].join('\n');
    const res = await upload('customers', csv, 'text/csv');
    expect(res.json()).toMatchObject({ rows: 4, created: 1, updated: 2, rejected: 1 });
    expect(res.json().rejectedRows).toEqual([
      { line: 5, path: 'timeZone', message: expect.stringMatching(/IANA/) },
    ]);
    expect(await customer('gus')).toMatchObject({
      email: 'gus@example.com',
      timeZone: 'America/New_York',
      consent: { email: 'opted_out' },
      attributes: { first_name: 'Gustav', vip: 'yes' },
    });
    expect(await customer('dee')).toMatchObject({
      email: 'dee@example.com',
      attributes: { n: 1, first_name: 'Dee' },
    });
    const [{ n }] = (await h.db.db.select({ n: count() }).from(customers)) as [{ n: number }];
    expect(n).toBe(5);
  });
});
