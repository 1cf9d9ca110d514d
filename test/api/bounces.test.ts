/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { customers, deliveries, events, suppressions } from '../../src/db/schema';
import { applyStatusReport } from '../../src/deliveries/status-report';
import { CairnClient, CairnValidationError } from '../../src/client';
import { isSuppressed } from '../../src/guardrails/suppression';
import { API_KEY, auth, createHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  await h.db.db.insert(customers).values([
    { id: 'ada', email: 'ada@example.com' },
    { id: 'bea', email: 'bea@example.com' },
    { id: 'cy', email: ' Cy@Example.com' },
  ]);
});
afterAll(async () => h.close());

const report = (payload: unknown, headers: Record<string, string> = auth) =>
  h.inject({ method: 'POST', url: '/v1/webhooks/bounces', headers, payload });

const SENT_AT = new Date('2026-03-01T09:00:00Z');

/** A delivery the provider accepted, as the send activity records it. */
async function sentDelivery(customerId: string, providerMessageId: string): Promise<string> {
  const id = randomUUID();
  await h.db.db.insert(deliveries).values({
    id,
    deliveryKey: `journey:news:${customerId}/run/${id}/0`,
    customerId,
    journeyId: 'news',
    journeyVersion: 1,
    workflowId: `journey:news:${customerId}`,
    stepId: 'news',
    channel: 'email',
    messageKind: 'marketing',
    status: 'sent',
    recipient: `${customerId}@example.com`,
    providerMessageId,
    providerCode: '250',
    sentAt: SENT_AT,
  });
  return id;
}

const deliveryRow = async (id: string) =>
  (await h.db.db.select().from(deliveries).where(eq(deliveries.id, id)))[0];
const eventsOf = (customerId: string) =>
  h.db.db.select().from(events).where(eq(events.customerId, customerId));

describe('POST /v1/webhooks/bounces', () => {
  it('suppresses a hard bounce, shows it on the delivery and stores an event linked to it', async () => {
    const id = await sentDelivery('ada', '<m1@cairn>');
    const res = await report({
      events: [
        {
          type: 'hard_bounce',
          address: 'ADA@example.com',
          deliveryId: id,
          reason: '5.1.1',
          occurredAt: '2026-03-01T09:05:00Z',
        },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      received: 1,
      suppressed: 1,
      deliveriesMatched: 1,
      deliveriesUpdated: 1,
      eventsStored: 1,
    });
    await expect(isSuppressed(h.db.db, 'email', 'ada@example.com')).resolves.toEqual({
      suppressed: true,
      reason: 'hard_bounce',
    });
    const [entry] = await h.db.db
      .select()
      .from(suppressions)
      .where(eq(suppressions.address, 'ada@example.com'));
    expect(entry?.source).toBe('bounce_webhook');

    // Sent, then bounced: the send time stays, the status and reason say what happened after.
    const row = await deliveryRow(id);
    expect(row).toMatchObject({
      status: 'failed',
      reason: 'hard_bounce',
      providerCode: '5.1.1',
      sentAt: SENT_AT,
    });
    expect(row?.detail?.bounce).toEqual({
      kind: 'hard_bounce',
      source: 'bounce_webhook',
      code: '5.1.1',
      at: '2026-03-01T09:05:00.000Z',
    });
    const listed = await h.inject({ url: '/v1/customers/ada/deliveries', headers: auth });
    expect(listed.json().deliveries[0]).toMatchObject({
      id,
      status: 'failed',
      reason: 'hard_bounce',
      sentAt: SENT_AT.toISOString(),
    });

    const stored = await eventsOf('ada');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      type: 'email_bounced',
      deliveryId: id,
      source: 'bounce_webhook',
      occurredAt: new Date('2026-03-01T09:05:00Z'),
      properties: expect.objectContaining({ deliveryId: id, bounceType: 'hard', stepId: 'news' }),
    });
    expect(JSON.stringify(stored[0])).not.toContain('ada@example.com');
  });

  it('changes nothing when the same report arrives again', async () => {
    const [row] = await h.db.db.select().from(deliveries).where(eq(deliveries.customerId, 'ada'));
    const again = await report({
      events: [
        {
          type: 'hard_bounce',
          address: 'ada@example.com',
          deliveryId: row?.id,
          reason: '5.1.1',
          occurredAt: '2026-03-01T09:05:00Z',
        },
      ],
    });
    expect(again.json()).toEqual({
      received: 1,
      suppressed: 0,
      deliveriesMatched: 1,
      deliveriesUpdated: 0,
      eventsStored: 0,
    });
    expect(await eventsOf('ada')).toHaveLength(1);
  });

  it('records a soft bounce, found by the provider message id, without suppressing', async () => {
    const id = await sentDelivery('bea', '<m2@cairn>');
    const res = await report({
      events: [
        { type: 'soft_bounce', address: 'bea@example.com', providerMessageId: '<m2@cairn>' },
      ],
    });
    expect(res.json()).toMatchObject({ suppressed: 0, deliveriesMatched: 1, eventsStored: 1 });
    await expect(isSuppressed(h.db.db, 'email', 'bea@example.com')).resolves.toEqual({
      suppressed: false,
    });
    const row = await deliveryRow(id);
    expect(row).toMatchObject({ status: 'sent', reason: null });
    expect(row?.detail?.bounce).toMatchObject({ kind: 'soft_bounce' });
    const [event] = await eventsOf('bea');
    expect(event).toMatchObject({
      type: 'email_bounced',
      deliveryId: id,
      properties: expect.objectContaining({ bounceType: 'soft' }),
    });
  });

  it('suppresses a complaint and stores it for the customers with that address', async () => {
    const res = await report({
      events: [
        { type: 'complaint', address: 'cy@example.com', occurredAt: '2026-03-02T10:00:00Z' },
        { type: 'complaint', address: 'nobody@example.com' },
      ],
    });
    expect(res.json()).toEqual({
      received: 2,
      suppressed: 2,
      deliveriesMatched: 0,
      deliveriesUpdated: 0,
      eventsStored: 1,
    });
    await expect(isSuppressed(h.db.db, 'email', 'cy@example.com')).resolves.toEqual({
      suppressed: true,
      reason: 'complaint',
    });
    await expect(isSuppressed(h.db.db, 'email', 'nobody@example.com')).resolves.toMatchObject({
      suppressed: true,
    });
    const [event] = await eventsOf('cy');
    expect(event).toMatchObject({ type: 'email_complained', deliveryId: null });
  });

  it('records a complaint on a delivered message without calling it failed', async () => {
    const id = await sentDelivery('bea', '<m3@cairn>');
    await report({
      events: [{ type: 'complaint', address: 'bea@example.com', providerMessageId: '<m3@cairn>' }],
    });
    expect(await deliveryRow(id)).toMatchObject({ status: 'sent', reason: 'complaint' });
    await expect(isSuppressed(h.db.db, 'email', 'bea@example.com')).resolves.toEqual({
      suppressed: true,
      reason: 'complaint',
    });
  });

  it('rejects the whole batch naming the bad item, echoing no address, storing nothing', async () => {
    const before = await h.db.db.select().from(suppressions);
    const res = await report({
      events: [
        { type: 'hard_bounce', address: 'dan@example.com' },
        { type: 'complaint', address: 'eve@example.com' },
        { type: 'hard_bounce', address: 'frank-at-example' },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([
      { path: 'events.2.address', message: 'must be an email address' },
    ]);
    expect(res.body).not.toContain('frank-at-example');
    expect(await h.db.db.select().from(suppressions)).toHaveLength(before.length);
    await expect(isSuppressed(h.db.db, 'email', 'dan@example.com')).resolves.toEqual({
      suppressed: false,
    });
  });

  it('names schema problems by path', async () => {
    const res = await report({
      events: [
        {
          type: 'hard_bounce',
          address: 'dan@example.com',
          reason: '550 <dan@example.com> unknown',
        },
        { type: 'bounced', address: 'dan@example.com' },
        { type: 'complaint', address: 'dan@example.com', deliveryId: 'm-1' },
      ],
    });
    expect(res.statusCode).toBe(400);
    const paths = (res.json().error.issues as { path: string }[]).map((i) => i.path).sort();
    expect(paths).toEqual(['events.0.reason', 'events.1.type', 'events.2.deliveryId']);
    expect(res.body).not.toContain('dan@example.com');
    const tooMany = await report({
      events: Array.from({ length: 501 }, () => ({ type: 'soft_bounce', address: 'a@b.co' })),
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.issues[0].path).toBe('events');
  });

  it('needs the API key', async () => {
    const res = await report({ events: [{ type: 'complaint', address: 'dan@example.com' }] }, {});
    expect(res.statusCode).toBe(401);
  });

  it('is documented in the OpenAPI document', async () => {
    const spec = (await h.inject({ url: '/openapi.json' })).json();
    expect(spec.paths['/v1/webhooks/bounces'].post.tags).toEqual(['webhooks']);
  });
});

describe('Twilio status callbacks', () => {
  let sequence = 0;
  /** An SMS the provider accepted, whose callback then reports a failure with this code. */
  async function failedSms(phone: string, errorCode: string) {
    sequence += 1;
    const messageSid = `SM${String(sequence).padStart(32, '0')}`;
    const id = randomUUID();
    await h.db.db.insert(deliveries).values({
      id,
      deliveryKey: `journey:sms:ada/run/${id}/0`,
      customerId: 'ada',
      journeyId: 'sms',
      journeyVersion: 1,
      workflowId: 'journey:sms:ada',
      stepId: 'nudge',
      channel: 'sms',
      messageKind: 'marketing',
      status: 'sent',
      recipient: phone,
      providerMessageId: messageSid,
    });
    return applyStatusReport(
      h.db.db,
      { messageSid, status: 'undelivered', errorCode },
      { now: new Date() },
    );
  }

  it('suppresses the number when the failure code says it cannot take SMS', async () => {
    const outcome = await failedSms('+4915100000030', '30005');
    expect(outcome).toMatchObject({ found: true, suppression: 'invalid_address' });
    await expect(isSuppressed(h.db.db, 'sms', '+4915100000030')).resolves.toEqual({
      suppressed: true,
      reason: 'invalid_address',
    });
    const [entry] = await h.db.db
      .select()
      .from(suppressions)
      .where(eq(suppressions.address, '+4915100000030'));
    expect(entry?.source).toBe('twilio');
  });

  it('leaves the number alone for transient or ambiguous codes', async () => {
    for (const code of ['30003', '30007']) {
      const outcome = await failedSms('+4915100000031', code);
      expect(outcome.found).toBe(true);
      expect(outcome.suppression).toBeUndefined();
    }
    await expect(isSuppressed(h.db.db, 'sms', '+4915100000031')).resolves.toEqual({
      suppressed: false,
    });
  });
});

describe('typed client', () => {
  it('reports bounces and surfaces item paths on a 400', async () => {
    const client = new CairnClient({ baseUrl: h.baseUrl, apiKey: API_KEY });
    await expect(
      client.reportBounces([{ type: 'hard_bounce', address: 'gil@example.com' }]),
    ).resolves.toEqual({
      received: 1,
      suppressed: 1,
      deliveriesMatched: 0,
      deliveriesUpdated: 0,
      eventsStored: 0,
    });
    const failure = await client
      .reportBounces([{ type: 'complaint', channel: 'sms', address: '0151 1234' }])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CairnValidationError);
    expect((failure as CairnValidationError).issues.map((i) => i.path)).toEqual([
      'events.0.address',
    ]);
  });
});
