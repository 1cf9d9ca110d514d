/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { connect } from 'node:net';
import {
  auth,
  createHarness,
  publishJourney,
  welcomeJourney,
  type Harness,
  type InjectResponse,
} from './harness';
import { tableDigest } from './table-digest';

/**
 * The documented input limits (README, "Input limits"): what Postgres cannot store or zod cannot
 * walk is refused with a 400 naming the field before anything is stored, and every refusal,
 * down to the ones Node and fastify raise, has the one error shape and quotes nothing it was sent.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  await h.inject({ method: 'PUT', url: '/v1/customers/ann', headers: auth, payload: {} });
  await publishJourney(h, welcomeJourney);
});
afterAll(async () => h.close());

const nestedArrays = (levels: number, inner = '1') =>
  '['.repeat(levels) + inner + ']'.repeat(levels);
const nestedObjects = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
const event = (extra: string) =>
  `{"id":"e-${Math.random()}","customerId":"ann","type":"x",${extra}}`;

/** Sends a raw JSON text; the answer must be a 400 whose issues name `path`, with nothing stored. */
async function expectRefused(
  method: string,
  url: string,
  body: string,
  path: string | RegExp,
): Promise<InjectResponse> {
  const before = await tableDigest(h.db.db);
  const res = await h.inject({ method, url, headers: auth, payload: body });
  expect(res.statusCode).toBe(400);
  const answer = res.json() as { error: { code: string; issues: { path: string }[] } };
  expect(Object.keys(answer)).toEqual(['error']);
  expect(answer.error.code).toBe('validation_failed');
  expect(answer.error.issues.map((issue) => issue.path)).toContainEqual(
    typeof path === 'string' ? path : (expect.stringMatching(path) as unknown),
  );
  expect(await tableDigest(h.db.db)).toEqual(before);
  return res;
}

describe('nesting depth (at most 32 levels, the body being the first)', () => {
  it('refuses 10,000 levels of arrays or objects anywhere in a body, naming where', async () => {
    await expectRefused(
      'POST',
      '/v1/events',
      event(`"properties":{"a":${nestedArrays(10_000)}}`),
      /^properties\.a(\.0)+$/,
    );
    await expectRefused(
      'POST',
      '/v1/events',
      event(`"properties":{"a":${nestedObjects(10_000)}}`),
      /^properties(\.a)+$/,
    );
    await expectRefused(
      'PUT',
      '/v1/customers/ann',
      `{"attributes":{"a":${nestedArrays(10_000)}}}`,
      /^attributes\.a/,
    );
    await expectRefused(
      'POST',
      '/v1/events/batch',
      `{"items":[${event('"properties":{}')},${event(`"properties":{"a":${nestedObjects(10_000)}}`)}]}`,
      /^items\.1\.properties\.a/,
    );
    await expectRefused('POST', '/v1/journeys', nestedObjects(10_000), /^(a\.)+a$/);
  });

  it('accepts 32 levels and refuses 33', async () => {
    const ok = await h.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: event(`"properties":{"a":${nestedArrays(30)}}`),
    });
    expect(ok.statusCode).toBe(202);
    await expectRefused(
      'POST',
      '/v1/events',
      event(`"properties":{"a":${nestedArrays(31)}}`),
      /^properties\.a(\.0){30}$/,
    );
  });
});

describe('strings Postgres cannot store', () => {
  it('refuses a NUL byte in any value, property name or id', async () => {
    await expectRefused(
      'POST',
      '/v1/events',
      event('"properties":{"a":"x\\u0000y"}'),
      'properties.a',
    );
    await expectRefused('POST', '/v1/events', event('"properties":{"a\\u0000":"b"}'), 'properties');
    await expectRefused(
      'POST',
      '/v1/events',
      '{"id":"e\\u0000","customerId":"ann","type":"x"}',
      'id',
    );
    await expectRefused(
      'POST',
      '/v1/events/batch',
      `{"items":[${event('"properties":{}')},${event('"properties":{"list":["ok","\\u0000"]}')}]}`,
      'items.1.properties.list.1',
    );
    await expectRefused(
      'PUT',
      '/v1/customers/ann',
      '{"attributes":{"n":{"\\u0000":1}}}',
      'attributes.n',
    );
    await expectRefused(
      'POST',
      '/v1/journeys',
      JSON.stringify({ ...welcomeJourney, name: 'Wel\u0000come' }),
      'name',
    );
  });

  it('refuses a lone surrogate in any value, property name or id', async () => {
    await expectRefused(
      'POST',
      '/v1/events',
      event('"properties":{"a":"\\ud800"}'),
      'properties.a',
    );
    await expectRefused('POST', '/v1/events', event('"properties":{"\\udc00x":1}'), 'properties');
    await expectRefused(
      'POST',
      '/v1/events',
      '{"id":"\\ud800","customerId":"ann","type":"x"}',
      'id',
    );
    await expectRefused(
      'PUT',
      '/v1/customers/ann',
      '{"attributes":{"first_name":"Ada \\ud83d"}}',
      'attributes.first_name',
    );
    // A whole pair is a character like any other.
    const pair = await h.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: event('"properties":{"mood":"\\ud83d\\ude00"}'),
    });
    expect(pair.statusCode).toBe(202);
  });

  it('refuses a NUL byte in a path parameter', async () => {
    for (const [method, url, path] of [
      ['GET', '/v1/events/e%00', 'id'],
      ['GET', '/v1/runs/journey%3Awelcome%3Aann%00', 'workflowId'],
      ['DELETE', '/v1/suppressions/email/a%00%40example.com', 'address'],
    ] as const) {
      const res = await h.inject({ method, url, headers: auth });
      expect([res.statusCode, res.json().error.issues?.[0]?.path]).toEqual([400, path]);
    }
  });

  it('refuses a string longer than 100,000 characters and a name longer than 256', async () => {
    await expectRefused(
      'POST',
      '/v1/events',
      event(`"properties":{"k":"${'x'.repeat(100_001)}"}`),
      'properties.k',
    );
    await expectRefused(
      'POST',
      '/v1/events',
      event(`"properties":{"${'k'.repeat(257)}":1}`),
      'properties',
    );
  });

  it('refuses more than 1,000 properties in one object and more than 10,000 items in one array', async () => {
    const many = Array.from({ length: 1_001 }, (_, i) => `"p${i}":1`).join(',');
    await expectRefused('PUT', '/v1/customers/ann', `{"attributes":{${many}}}`, 'attributes');
    const long = Array.from({ length: 10_001 }, () => '0').join(',');
    await expectRefused(
      'POST',
      '/v1/events',
      event(`"properties":{"l":[${long}]}`),
      'properties.l',
    );
  });

  it('refuses numbers JSON cannot carry and prototype keys, naming where', async () => {
    await expectRefused(
      'POST',
      '/v1/events',
      event('"properties":{"big":1e400}'),
      'properties.big',
    );
    await expectRefused(
      'POST',
      '/v1/events',
      event('"properties":{"__proto__":{"a":1}}'),
      'properties.__proto__',
    );
    await expectRefused(
      'PUT',
      '/v1/customers/ann',
      '{"attributes":{"constructor":{"prototype":{"a":1}}}}',
      'attributes.constructor',
    );
  });
});

describe('timestamps Postgres can store (years 1 to 9999, UTC)', () => {
  it('refuses year 0, year 10000 and offsets that carry an instant outside', async () => {
    for (const at of [
      '0000-01-01T00:00:00Z',
      '10000-01-01T00:00:00Z',
      '0001-01-01T00:30:00+01:00',
      '9999-12-31T23:30:00-01:00',
    ]) {
      await expectRefused('POST', '/v1/events', event(`"occurredAt":"${at}"`), 'occurredAt');
    }
    const since = await h.inject({
      url: '/v1/customers/ann/timeline?since=0000-01-01T00:00:00Z',
      headers: auth,
    });
    expect([since.statusCode, since.json().error.issues?.[0]?.path]).toEqual([400, 'since']);
  });

  it('accepts the first and the last instant of the range', async () => {
    for (const at of ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
      const res = await h.inject({
        method: 'POST',
        url: '/v1/events',
        headers: auth,
        payload: event(`"occurredAt":"${at}"`),
      });
      expect(res.statusCode).toBe(202);
    }
  });
});

describe('integers Postgres can store', () => {
  it('refuses a journey version beyond a 32-bit integer, naming it', async () => {
    const res = await h.inject({ url: '/v1/journeys/welcome/versions/99999999999', headers: auth });
    expect([res.statusCode, res.json().error.issues?.[0]?.path]).toEqual([400, 'version']);
  });
});

describe('one error shape, quoting nothing that was sent', () => {
  const expectShape = (res: InjectResponse, status: number, code: string) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
    expect(res.body).not.toContain('secret');
  };

  it('413 for a body over 5 MiB', async () => {
    const body = event(`"properties":{"k":"secret${'x'.repeat(5 * 1024 * 1024)}"}`);
    expectShape(
      await h.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: body }),
      413,
      'body_too_large',
    );
  });

  it('414 for a URL over 8 KiB', async () => {
    for (const length of [9_000, 100_000]) {
      // Node reads up to 128 KiB of request line and headers; within that, a long URL is a 414.
      const url = `/v1/customers/ann/runs?secret=${'s'.repeat(length)}`;
      expectShape(await h.inject({ url, headers: auth }), 414, 'url_too_long');
    }
  });

  it('431 for headers over 16 KiB, also beyond what Node itself reads', async () => {
    for (const length of [20_000, 200_000]) {
      const headers = { ...auth, 'x-note': `secret${'s'.repeat(length)}` };
      expectShape(await h.inject({ url: '/v1/customers/ann', headers }), 431, 'headers_too_large');
    }
  });

  it('400 for a request that is not HTTP at all', async () => {
    const { port } = new URL(h.baseUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('secret nonsense\r\n\r\n'),
      );
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(body)).toEqual({
      error: { code: 'bad_request', message: expect.any(String) },
    });
    expect(body).not.toContain('secret');
  });

  it('404 for an unknown route, without quoting its path', async () => {
    expectShape(
      await h.inject({ url: '/v1/customerz/secret@example.com', headers: auth }),
      404,
      'route_not_found',
    );
  });

  it('415 for a body that is not JSON', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await h.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { ...auth, 'content-type': type },
        payload: 'secret=1',
      });
      expectShape(res, 415, 'unsupported_media_type');
    }
  });

  it('400 for malformed or empty JSON', async () => {
    for (const payload of ['{"id": secret}', '{"id":"secret"', '']) {
      const res = await h.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { ...auth, 'content-type': 'application/json' },
        payload,
      });
      expectShape(res, 400, 'invalid_json');
    }
  });

  it('an event past the preview horizon is named without quoting the horizon', async () => {
    const res = await h.inject({
      method: 'POST',
      url: '/v1/journeys/welcome/preview',
      headers: auth,
      payload: { profile: {}, horizon: '13d', events: [{ after: '14d', type: 'purchase' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([
      { path: 'events.0.after', message: expect.any(String) },
    ]);
    expect(res.body).not.toContain('13d');
  });

  it('a missing version is named without quoting the number asked for', async () => {
    const res = await h.inject({ url: '/v1/journeys/welcome/versions/424242', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('424242');
  });
});
