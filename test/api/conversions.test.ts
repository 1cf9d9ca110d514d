/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are read as loose JSON. */
import { randomUUID } from 'node:crypto';
import { createRecordConversion } from '../../src/activities/record-conversion';
import { CairnClient, CairnValidationError } from '../../src/client';
import { conversions, customers, deliveries } from '../../src/db/schema';
import { API_KEY, auth, createHarness, type Harness } from './harness';

let h: Harness;

type Row = typeof conversions.$inferInsert;
const base = {
  customerId: 'c1',
  journeyId: 'cart',
  journeyVersion: 1,
  stepId: 'cart_email',
  channel: 'email',
  currency: 'EUR',
  occurredAt: new Date('2024-06-10T12:00:00Z'),
} as const;

/** One goal event credited to (step, channel, weight, revenue) parts under every model given. */
function credit(eventId: string, parts: Partial<Row>[], model: Row['model'] = 'last_touch'): Row[] {
  return parts.map((part) => ({
    ...base,
    eventId,
    model,
    deliveryId: randomUUID(),
    weight: 1,
    revenue: 0,
    ...part,
  }));
}

beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  await h.db.db.insert(customers).values([{ id: 'c1' }, { id: 'c2' }]);
  await h.db.db.insert(conversions).values([
    ...credit('p1', [{ revenue: 40 }]),
    ...credit('p2', [{ revenue: 10, stepId: 'cart_sms', channel: 'sms', customerId: 'c2' }]),
    ...credit('p3', [{ revenue: 7, currency: 'USD' }]),
    ...credit('p4', [{ revenue: 5, currency: null, journeyVersion: 2 }]),
    ...credit('p5', [{ occurredAt: new Date('2024-07-01T00:00:00Z') }]),
    ...credit('p6', [{ journeyId: 'welcome', stepId: 'hello' }]),
    ...credit(
      'p1',
      [
        { weight: 1 / 3, revenue: 13.3334 },
        { weight: 1 / 3, revenue: 13.3333, stepId: 'cart_sms', channel: 'sms' },
        { weight: 1 / 3, revenue: 13.3333, stepId: 'cart_push', channel: 'push' },
      ],
      'linear',
    ),
  ]);
});
afterAll(async () => h.close());

const get = (query: string) => h.inject({ url: `/v1/conversions${query}`, headers: auth });

describe('GET /v1/conversions', () => {
  it('sums last-touch conversions per journey, version, step and channel, revenue per currency', async () => {
    const response = await get('');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      model: 'last_touch',
      conversions: 6,
      revenue: { EUR: 50, USD: 7, XXX: 5 },
      by: [
        {
          journeyId: 'cart',
          version: 1,
          stepId: 'cart_email',
          channel: 'email',
          conversions: 3,
          revenue: { EUR: 40, USD: 7 },
        },
        {
          journeyId: 'cart',
          version: 1,
          stepId: 'cart_sms',
          channel: 'sms',
          conversions: 1,
          revenue: { EUR: 10 },
        },
        {
          journeyId: 'cart',
          version: 2,
          stepId: 'cart_email',
          channel: 'email',
          conversions: 1,
          revenue: { XXX: 5 },
        },
        {
          journeyId: 'welcome',
          version: 1,
          stepId: 'hello',
          channel: 'email',
          conversions: 1,
          revenue: {},
        },
      ],
    });
  });

  it('filters by journey, version, step, channel and time (since inclusive, until exclusive)', async () => {
    const version = await get('?journeyId=cart&version=2');
    expect(version.json()).toMatchObject({ conversions: 1, revenue: { XXX: 5 } });
    const sms = await get('?journeyId=cart&channel=sms');
    expect(sms.json().by).toEqual([expect.objectContaining({ stepId: 'cart_sms' })]);
    const step = await get('?stepId=hello');
    expect(step.json().by).toEqual([expect.objectContaining({ journeyId: 'welcome' })]);
    const july = await get('?since=2024-07-01T00:00:00Z');
    expect(july.json()).toMatchObject({ conversions: 1, revenue: {} });
    const june = await get('?journeyId=cart&until=2024-07-01T00:00:00Z');
    expect(june.json().conversions).toBe(4);
    const none = await get('?journeyId=nothing-here');
    expect(none.json()).toEqual({ model: 'last_touch', conversions: 0, revenue: {}, by: [] });
  });

  it('answers another model, with shares adding up to whole conversions', async () => {
    const response = await get('?model=linear');
    expect(response.json().conversions).toBe(1);
    expect(response.json().revenue).toEqual({ EUR: 40 });
    const groups = response.json().by as { channel: string }[];
    expect(groups.map((g) => g.channel)).toEqual(['email', 'push', 'sms']);
  });

  it('answers 400 naming the field', async () => {
    const cases: [string, string, string][] = [
      ['?model=best_touch', 'model', 'must be one of "last_touch"'],
      ['?version=0', 'version', 'must be a positive integer'],
      ['?version=abc&journeyId=cart', 'version', 'must be a positive integer'],
      ['?version=2', 'version', 'needs journeyId'],
      ['?channel=fax', 'channel', 'must be one of "email"'],
      ['?since=yesterday', 'since', 'must be an ISO-8601 timestamp'],
      ['?since=2024-07-01T00:00:00Z&until=2024-06-01T00:00:00Z', 'until', 'must be after since'],
      ['?journey=cart', 'journey', 'is not a known field'],
      ['?stepId=Not%20A%20Step', 'stepId', 'must be lower snake_case'],
    ];
    for (const [query, path, message] of cases) {
      const response = await get(query);
      expect(response.statusCode).toBe(400);
      const issue = (response.json().error.issues as { path: string; message: string }[]).find(
        (i) => i.path === path,
      );
      expect(issue?.message).toContain(message);
    }
  });

  it('is what the typed client returns', async () => {
    const client = new CairnClient({ baseUrl: h.baseUrl, apiKey: API_KEY });
    const report = await client.getConversions({
      journeyId: 'cart',
      version: 2,
      model: 'last_touch',
    });
    expect(report).toMatchObject({ conversions: 1, revenue: { XXX: 5 } });
    const failure = client.getConversions({ since: 'last week' });
    await expect(failure).rejects.toBeInstanceOf(CairnValidationError);
    await expect(failure).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'since' })],
    });
  });

  it('needs the API key, and is in the OpenAPI document', async () => {
    expect((await h.inject({ url: '/v1/conversions' })).statusCode).toBe(401);
    const spec = (await h.inject({ url: '/openapi.json' })).json();
    const operation = spec.paths['/v1/conversions'].get;
    expect(operation.tags).toEqual(['conversions']);
    const names = (operation.parameters as { name: string }[]).map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['journeyId', 'version', 'stepId', 'channel', 'model', 'since']),
    );
  });

  it('reports what recordConversion stored for a purchase after an email', async () => {
    await h.db.db.insert(customers).values({ id: 'c3' });
    const [email] = await h.db.db
      .insert(deliveries)
      .values({
        deliveryKey: 'journey:promo:c3/run-1/promo_email/1/0',
        customerId: 'c3',
        journeyId: 'promo',
        journeyVersion: 4,
        workflowId: 'journey:promo:c3',
        stepId: 'promo_email',
        channel: 'email',
        messageKind: 'marketing',
        status: 'sent',
        sentAt: new Date('2024-06-09T12:00:00Z'),
      })
      .returning({ id: deliveries.id });
    expect(email).toMatchObject({ id: expect.any(String) });
    await createRecordConversion(h.db.db)({
      customerId: 'c3',
      journeyId: 'promo',
      journeyVersion: 4,
      workflowId: 'journey:promo:c3',
      event: {
        id: 'promo-purchase',
        type: 'purchase',
        customerId: 'c3',
        occurredAt: '2024-06-10T12:00:00Z',
        properties: { revenue: 25, currency: 'GBP' },
      },
      windowMs: 3 * 86_400_000,
    });
    for (const model of ['last_touch', 'first_touch', 'linear', 'time_decay']) {
      const response = await get(`?journeyId=promo&model=${model}`);
      expect(response.json()).toEqual({
        model,
        conversions: 1,
        revenue: { GBP: 25 },
        by: [
          {
            journeyId: 'promo',
            version: 4,
            stepId: 'promo_email',
            channel: 'email',
            conversions: 1,
            revenue: { GBP: 25 },
          },
        ],
      });
    }
  });
});
