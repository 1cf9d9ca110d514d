/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any; the assertions check the shape. */
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { loadProfileSnapshot } from '../../src/customers';
import { events, journeyRuns } from '../../src/db/schema';
import { simulate } from '../../src/journeys/preview';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { auth, createHarness, publishJourney, type Harness } from './harness';
import { builtInCatalogue } from '../../src/scores';

const START = '2026-12-01T10:00:00.000Z';
const HOUR = 3_600_000;
const at = (ms: number) => new Date(Date.parse(START) + ms).toISOString();

const cartNudge: JourneyDefinitionInput = {
  id: 'cart-nudge',
  name: 'Cart nudge',
  trigger: {
    event: 'cart_abandoned',
    when: { conditions: [{ field: 'trigger.properties.cart_value', op: 'gt', value: 25 }] },
  },
  reEntry: { mode: 'keyed', key: 'cart_id' },
  exitOn: [{ event: 'purchase' }],
  entry: 'wait',
  steps: [
    { id: 'wait', type: 'wait', for: '1h', next: 'reachable' },
    {
      id: 'reachable',
      type: 'branch',
      when: { conditions: [{ field: 'profile.hasEmail', op: 'eq', value: true }] },
      then: 'nudge',
      else: 'nudge_sms',
    },
    {
      id: 'nudge',
      type: 'send',
      channel: 'email',
      content: { subject: 'You left something, {{profile.first_name}}', html: '<p>Cart</p>' },
      next: 'later',
    },
    { id: 'nudge_sms', type: 'send', channel: 'sms', content: { text: 'Your cart' } },
    { id: 'later', type: 'wait', for: '2d', next: 'reminder' },
    {
      id: 'reminder',
      type: 'send',
      channel: 'email',
      content: { subject: 'Still there?', html: '<p>Cart</p>' },
    },
  ],
};

let h: Harness;
beforeAll(async () => {
  // A preview never calls Temporal: the dead client proves it.
  h = await createHarness({ temporal: 'dead' });
  const customer = await h.inject({
    method: 'PUT',
    url: '/v1/customers/ada',
    headers: auth,
    payload: { email: 'ada@example.com', attributes: { first_name: 'Ada' } },
  });
  expect(customer.statusCode).toBe(201);
  for (const definition of [cartNudge, { ...cartNudge, name: 'Cart nudge v2', exitOn: [] }]) {
    await publishJourney(h, definition);
  }
});
afterAll(async () => h.close());

const preview = (body: unknown, journeyId = 'cart-nudge') =>
  h.inject({
    method: 'POST',
    url: `/v1/journeys/${journeyId}/preview`,
    headers: auth,
    payload: body,
  });
const cart = { properties: { cart_id: 'c-9', cart_value: 80 } };

describe('POST /v1/journeys/:id/preview', () => {
  it("previews a stored customer's messages and decisions, as simulate() does with the run's profile", async () => {
    const res = await preview({ customerId: 'ada', trigger: cart, start: START, version: 1 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      journeyId: 'cart-nudge',
      version: 1,
      customerId: 'ada',
      start: START,
      horizonEnd: at(30 * 24 * HOUR),
      messages: [
        {
          at: at(HOUR),
          stepId: 'nudge',
          visit: 1,
          channel: 'email',
          subject: 'You left something, {{profile.first_name}}',
        },
        { at: at(49 * HOUR), stepId: 'reminder', channel: 'email' },
      ],
      outcome: { status: 'completed', reachedHorizon: false },
    });
    const branch = body.decisions.find((d: { kind: string }) => d.kind === 'branch');
    expect(branch).toMatchObject({ at: at(HOUR), stepId: 'reachable' });
    expect(branch.summary).toContain('→ then (nudge)');
    // The address never leaves the database, not even in a preview.
    expect(res.body).not.toContain('ada@example.com');

    // The same answer as the interpreter's own preview fed the snapshot a run loads.
    const profile = await loadProfileSnapshot(h.db.db, 'ada', builtInCatalogue);
    const direct = simulate(parseJourneyDefinition(cartNudge), {
      profile: profile!,
      trigger: {
        id: 'preview:trigger',
        type: 'cart_abandoned',
        customerId: 'ada',
        occurredAt: START,
        properties: cart.properties,
      },
      key: 'c-9',
      customerId: 'ada',
      now: Date.parse(START),
      horizonMs: 30 * 24 * HOUR,
      defaultTimeZone: 'UTC',
    });
    expect(body.messages).toEqual(
      direct.sends.map((s) => ({ ...s, at: at(s.at - Date.parse(START)) })),
    );
    expect(body.decisions.map((d: { summary: string }) => d.summary)).toEqual(
      direct.decisions.map((d) => d.summary),
    );
  });

  it('previews a profile given in the request, with events on the way', async () => {
    const res = await preview({
      profile: { hasEmail: false, hasPhone: true, attributes: { first_name: 'Bo' } },
      trigger: cart,
      start: START,
      version: 1,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      customerId: 'preview',
      messages: [{ stepId: 'nudge_sms', channel: 'sms', at: at(HOUR) }],
      outcome: { status: 'completed', finishReason: 'completed' },
    });

    const bought = await preview({
      profile: { hasEmail: true },
      trigger: cart,
      start: START,
      version: 1,
      events: [{ after: '30m', type: 'purchase' }],
    });
    expect(bought.json()).toMatchObject({
      messages: [],
      outcome: { status: 'exited', finishReason: 'exit_event' },
    });
  });

  it('defaults to the active version and stops at the horizon', async () => {
    const res = await preview({
      profile: { hasEmail: true },
      trigger: cart,
      start: START,
      horizon: '2h',
      events: [{ after: '90m', type: 'purchase' }],
    });
    expect(res.statusCode).toBe(200);
    // Version 2 has no exitOn: the purchase changes nothing, and the run is still waiting.
    expect(res.json()).toMatchObject({
      version: 2,
      horizonEnd: at(2 * HOUR),
      messages: [{ stepId: 'nudge' }],
      outcome: { status: 'running', reachedHorizon: true, currentStepId: 'later' },
    });
  });

  it('shows a trigger whose conditions fail as a run that would not enter', async () => {
    const res = await preview({
      customerId: 'ada',
      trigger: { properties: { cart_id: 'c-1', cart_value: 10 } },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      messages: [],
      outcome: { status: 'exited', finishReason: 'trigger_mismatch' },
    });
    expect(body.decisions.some((d: { kind: string }) => d.kind === 'condition')).toBe(true);
  });

  it('answers 404 naming the unknown journey, version or customer', async () => {
    const cases = [
      [preview({ customerId: 'ada', key: 'c' }, 'no-such-journey'), 'journey_not_found', 'id'],
      [
        preview({ customerId: 'ada', key: 'c', version: 9 }),
        'journey_version_not_found',
        'version',
      ],
      [preview({ customerId: 'ghost', key: 'c' }), 'customer_not_found', 'customerId'],
    ] as const;
    for (const [pending, code, path] of cases) {
      const res = await pending;
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toMatchObject({ code, issues: [{ path }] });
    }
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ trigger: cart }, 'customerId'],
      [{ customerId: 'ada', profile: {}, trigger: cart }, 'customerId'],
      [{ customerId: 'ada', trigger: cart, horizon: '91d' }, 'horizon'],
      [{ customerId: 'ada', trigger: cart, horizon: '99999999999999999999d' }, 'horizon'],
      [
        { customerId: 'ada', trigger: cart, horizon: '1d', events: [{ after: '2d', type: 'x' }] },
        'events.0.after',
      ],
      [
        { customerId: 'ada', trigger: cart, events: [{ after: '1h', type: 'not a type' }] },
        'events.0.type',
      ],
      [{ customerId: 'ada', trigger: cart, start: 'tomorrow' }, 'start'],
      [{ customerId: 'ada', trigger: cart, version: 0 }, 'version'],
      [{ profile: { email: 'ada@example.com' }, trigger: cart }, 'profile.email'],
      [{ profile: { timeZone: 'Mars/Olympus' }, trigger: cart }, 'profile.timeZone'],
      [{ customerId: 'ada' }, 'key'],
      [{ customerId: 'ada', trigger: cart, extra: 1 }, 'extra'],
    ];
    for (const [body, path] of cases) {
      const res = await preview(body);
      expect([
        res.statusCode,
        res.json().error.issues.map((i: { path: string }) => i.path),
      ]).toEqual([400, expect.arrayContaining([path])]);
      expect(res.body).not.toContain('ada@example.com');
    }
  });

  it('never answers 5xx and stores nothing, whatever the body (fuzzed)', async () => {
    const field = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue(),
      fc.constantFrom('ada', 'ghost', '30d', '91d', '0s', START, -1, 1, 2, 3.5),
    );
    const body = fc.record(
      {
        customerId: field,
        profile: fc.oneof(
          field,
          fc.record(
            { hasEmail: field, timeZone: field, attributes: field, lastEngagedAt: field },
            { requiredKeys: [] },
          ),
        ),
        version: field,
        key: field,
        trigger: fc.oneof(
          field,
          fc.record({ properties: fc.oneof(field, fc.constant(cart.properties)) }),
        ),
        events: fc.oneof(
          field,
          fc.array(fc.record({ after: field, type: field }), { maxLength: 3 }),
        ),
        start: field,
        horizon: field,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const res = await preview(payload);
        expect([200, 400, 404, 422]).toContain(res.statusCode);
        if (res.statusCode === 400) {
          for (const issue of res.json().error.issues ?? [])
            expect(issue.path).toEqual(expect.any(String));
        }
      }),
      { numRuns: 150 },
    );
    expect((await h.db.db.select({ n: count() }).from(events))[0]?.n).toBe(0);
    expect((await h.db.db.select({ n: count() }).from(journeyRuns))[0]?.n).toBe(0);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await h.inject({ url: '/openapi.json' })).json();
    const operation = doc.paths['/v1/journeys/{id}/preview']?.post;
    expect(operation).toMatchObject({ tags: ['journeys'] });
    expect(Object.keys(doc.components.schemas.PreviewRequest.properties as object)).toEqual(
      expect.arrayContaining(['customerId', 'profile', 'trigger', 'events', 'start', 'horizon']),
    );
    expect(Object.keys(operation.responses as object)).toEqual(
      expect.arrayContaining(['200', '400', '401', '404', '422']),
    );
  });
});
