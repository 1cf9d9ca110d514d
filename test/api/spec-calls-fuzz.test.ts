/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { customers, events, specMessages } from '../../src/db/schema';
import { createHarness, WRITE_KEY, type Harness } from './harness';

/**
 * The Segment-spec boundary: any body on any of its endpoints is a 200 that applied it, or a 4xx
 * naming a field that applied nothing of it — never a 5xx, and never half a batch.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
});
afterAll(async () => h.close());

const basic = { authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` };

const id = fc.constantFrom('u-1', 'u-2', 'null', '', 'bad id', 'a'.repeat(250), 7, 0, -1, null);
const time = fc.constantFrom(
  undefined,
  '2026-11-30T10:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  'yesterday',
  12,
);
const message = fc.record(
  {
    type: fc.constantFrom('identify', 'track', 'page', 'screen', 'group', 'alias', 'nope', 1),
    messageId: fc.oneof(fc.constantFrom('m-1', 'm-2', ''), fc.stringMatching(/^m-[a-z0-9]{1,8}$/)),
    userId: id,
    anonymousId: id,
    previousId: id,
    groupId: id,
    event: fc.constantFrom('Order Completed', 'x', '', '!!!', 'a'.repeat(300), 5),
    name: fc.constantFrom('Home', '', 3),
    traits: fc.oneof(
      fc.constantFrom({ email: 'a@b.co' }, { email: 'nope' }, { phone: '+1 415 555 0100' }),
      fc.constantFrom({ phone: '555' }, { email: null }, null, 'x'),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    ),
    properties: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)),
    timestamp: time,
    sentAt: time,
    context: fc.constantFrom(undefined, {}, { timezone: 'Mars/Base' }, { locale: 42 }, 'x'),
  },
  { requiredKeys: [] },
);
const endpoint = fc.constantFrom('identify', 'track', 'page', 'screen', 'group', 'alias', 'batch');
const body = fc.oneof(
  message,
  fc.record({ batch: fc.array(message, { maxLength: 6 }), sentAt: time }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 3 }),
);

const rows = async () => {
  const [c] = await h.db.db.select({ n: count() }).from(customers);
  const [e] = await h.db.db.select({ n: count() }).from(events);
  const [m] = await h.db.db.select({ n: count() }).from(specMessages);
  return { customers: c?.n ?? 0, events: e?.n ?? 0, messages: m?.n ?? 0 };
};

it('answers any body with a 200 or a 4xx naming a field, and a 4xx applies nothing', async () => {
  await fc.assert(
    fc.asyncProperty(endpoint, body, async (path, payload) => {
      const before = await rows();
      const res = await h.inject({ method: 'POST', url: `/v1/${path}`, headers: basic, payload });
      expect(res.statusCode).toBeLessThan(500);
      if (res.statusCode === 200) {
        expect(res.json().success).toBe(true);
        return;
      }
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.json().error.code).toEqual(expect.any(String));
      expect(await rows()).toEqual(before);
    }),
    { numRuns: 300 },
  );
});
