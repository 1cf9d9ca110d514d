import { eq } from 'drizzle-orm';
import {
  createRecordConversion,
  type RecordConversionRequest,
  type RecordConversionResult,
} from '../../src/activities/record-conversion';
import { conversions, deliveries, events } from '../../src/db/schema';
import type { DeliveryStatus } from '../../src/db/schema';
import type { JsonObject } from '../../src/journeys/run-types';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, seedCustomer } from './fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PURCHASE_AT = Date.parse('2024-06-10T12:00:00Z');
const ago = (ms: number) => new Date(PURCHASE_AT - ms);

describe('recordConversion', () => {
  let database: TestDatabase;
  let recordConversion: ReturnType<typeof createRecordConversion>;
  const { env } = activityEnvironment();
  let sequence = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    recordConversion = createRecordConversion(database.db);
  });
  afterAll(async () => database.close());

  /** A customer with a run of their own: each test starts from a clean slate. */
  async function freshRun() {
    sequence += 1;
    const customerId = `c${sequence}`;
    await seedCustomer(database.db, { id: customerId });
    return { customerId, workflowId: `journey:cart:${customerId}` };
  }

  async function delivery(
    run: { customerId: string; workflowId: string },
    stepId: string,
    channel: string,
    sentAt: Date | null,
    status: DeliveryStatus = 'sent',
  ): Promise<string> {
    const [row] = await database.db
      .insert(deliveries)
      .values({
        deliveryKey: `${run.workflowId}/run-1/${stepId}/1/0`,
        customerId: run.customerId,
        journeyId: 'cart',
        journeyVersion: 2,
        workflowId: run.workflowId,
        stepId,
        channel,
        messageKind: 'marketing',
        status,
        sentAt,
      })
      .returning({ id: deliveries.id });
    return row!.id;
  }

  async function engagement(
    customerId: string,
    deliveryId: string,
    type: string,
    occurredAt: Date,
    flags?: JsonObject,
  ) {
    sequence += 1;
    await database.db.insert(events).values({
      id: `engagement-${sequence}`,
      customerId,
      type,
      occurredAt,
      deliveryId,
      flags: flags ?? null,
      routedAt: occurredAt,
    });
  }

  function request(
    run: { customerId: string; workflowId: string },
    properties: JsonObject = { revenue: 59.5, currency: 'eur' },
    overrides: Partial<RecordConversionRequest> = {},
  ): RecordConversionRequest {
    return {
      customerId: run.customerId,
      journeyId: 'cart',
      journeyVersion: 2,
      workflowId: run.workflowId,
      event: {
        id: `purchase-${run.customerId}`,
        type: 'purchase',
        customerId: run.customerId,
        occurredAt: new Date(PURCHASE_AT).toISOString(),
        properties,
      },
      windowMs: 7 * DAY,
      ...overrides,
    };
  }

  const record = (r: RecordConversionRequest): Promise<RecordConversionResult> =>
    env.run(recordConversion, r);

  const storedRows = (eventId: string) =>
    database.db.select().from(conversions).where(eq(conversions.eventId, eventId));

  it('credits a clicked email with the whole purchase under every model', async () => {
    const run = await freshRun();
    const email = await delivery(run, 'cart_email', 'email', ago(2 * DAY));
    const sms = await delivery(run, 'cart_sms', 'sms', ago(HOUR));
    await engagement(run.customerId, email, 'email_clicked', ago(DAY));
    await engagement(run.customerId, sms, 'email_opened', ago(HOUR / 2));

    const result = await record(request(run));

    const credit = { deliveryId: email, stepId: 'cart_email', channel: 'email', weight: 1 };
    expect(result).toEqual({
      eventId: `purchase-${run.customerId}`,
      status: 'recorded',
      touches: 1,
      revenue: 59.5,
      currency: 'EUR',
      models: {
        last_touch: [{ ...credit, revenue: 59.5 }],
        first_touch: [{ ...credit, revenue: 59.5 }],
        linear: [{ ...credit, revenue: 59.5 }],
        time_decay: [{ ...credit, revenue: 59.5 }],
      },
    });
    const rows = await storedRows(`purchase-${run.customerId}`);
    expect(rows.map((r) => r.model).sort()).toEqual([
      'first_touch',
      'last_touch',
      'linear',
      'time_decay',
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({
        customerId: run.customerId,
        deliveryId: email,
        journeyId: 'cart',
        journeyVersion: 2,
        stepId: 'cart_email',
        channel: 'email',
        weight: 1,
        revenue: 59.5,
        currency: 'EUR',
        occurredAt: new Date(PURCHASE_AT),
      });
    }
  });

  it('without clicks, splits between every message sent in the window', async () => {
    const run = await freshRun();
    const first = await delivery(run, 'email_1', 'email', ago(3 * DAY));
    const last = await delivery(run, 'push_1', 'push', ago(3 * HOUR));
    await delivery(run, 'skipped', 'sms', ago(2 * HOUR), 'skipped');
    await delivery(run, 'failed', 'email', null, 'failed');
    await delivery(run, 'too_old', 'email', ago(8 * DAY));

    const result = await record(
      request(run, { order: { total: '100' } }, { revenuePath: 'event.properties.order.total' }),
    );

    expect(result.status).toBe('recorded');
    expect(result.touches).toBe(2);
    expect(result.currency).toBeNull();
    expect(result.models.last_touch).toEqual([
      expect.objectContaining({ deliveryId: last, revenue: 100 }),
    ]);
    expect(result.models.first_touch).toEqual([
      expect.objectContaining({ deliveryId: first, revenue: 100 }),
    ]);
    expect(result.models.linear.map((c) => [c.deliveryId, c.weight, c.revenue])).toEqual(
      [first, last].sort().map((id) => [id, 0.5, 50]),
    );
    const decay = result.models.time_decay;
    expect(decay.map((c) => c.deliveryId)).toEqual([last, first]);
    // Ages 3 h and 72 h, half-life 7 d: shares 2^(-3/168) : 2^(-72/168).
    const recent = 2 ** (-3 / 168);
    const expected = recent / (recent + 2 ** (-72 / 168));
    expect(decay[0]!.weight).toBeCloseTo(expected, 6);
    expect(decay[0]!.weight + decay[1]!.weight).toBeCloseTo(1, 12);
    expect(decay[0]!.revenue + decay[1]!.revenue).toBeCloseTo(100, 10);
    expect(await storedRows(`purchase-${run.customerId}`)).toHaveLength(6);
  });

  it('stores nothing for a purchase outside the window', async () => {
    const run = await freshRun();
    const email = await delivery(run, 'cart_email', 'email', ago(8 * DAY));
    await engagement(run.customerId, email, 'email_clicked', ago(HOUR));

    const result = await record(request(run));

    expect(result).toMatchObject({ status: 'no_touches', touches: 0, revenue: 59.5 });
    expect(result.models).toEqual({ last_touch: [], first_touch: [], linear: [], time_decay: [] });
    expect(await storedRows(`purchase-${run.customerId}`)).toEqual([]);
  });

  it('ignores messages of other runs and bot or later clicks', async () => {
    const run = await freshRun();
    const other = await freshRun();
    const mine = await delivery(run, 'cart_email', 'email', ago(DAY));
    const botClicked = await delivery(run, 'cart_push', 'push', ago(2 * DAY));
    await engagement(run.customerId, botClicked, 'email_clicked', ago(DAY), { bot: true });
    await engagement(run.customerId, botClicked, 'email_clicked', new Date(PURCHASE_AT + 1));
    await delivery({ ...other, customerId: other.customerId }, 'cart_email', 'email', ago(HOUR));

    const result = await record(request(run));

    // No human click before the purchase: both of this run's messages count, the later one last.
    expect(result.touches).toBe(2);
    expect(result.models.last_touch[0]?.deliveryId).toBe(mine);
    expect(result.models.first_touch[0]?.deliveryId).toBe(botClicked);
  });

  it('writes nothing twice: a retry and a repeated event id return the stored credits', async () => {
    const run = await freshRun();
    const email = await delivery(run, 'cart_email', 'email', ago(2 * DAY));
    const push = await delivery(run, 'cart_push', 'push', ago(DAY));
    const first = await record(request(run));
    expect(first.status).toBe('recorded');

    // A click that arrives late (before the purchase time) would change the attribution.
    await engagement(run.customerId, email, 'email_clicked', ago(HOUR));
    const [again, concurrent] = await Promise.all([record(request(run)), record(request(run))]);

    for (const repeat of [again, concurrent]) {
      expect(repeat).toEqual({ ...first, status: 'already_recorded' });
    }
    expect(first.models.last_touch[0]?.deliveryId).toBe(push);
    expect(await storedRows(`purchase-${run.customerId}`)).toHaveLength(6);
  });

  it('refuses bad requests naming the field, never the value', async () => {
    const run = await freshRun();
    const cases: [RecordConversionRequest, string][] = [
      [request(run, { revenue: 'lots' }), 'event.properties.revenue must be a number'],
      [request(run, { revenue: -5 }), 'event.properties.revenue must be between 0'],
      [request(run, { revenue: 5, currency: 'euros' }), 'event.properties.currency must be'],
      [request(run, {}, { revenuePath: 'trigger.properties.total' }), 'revenuePath must point'],
      [request(run, {}, { windowMs: 0 }), 'windowMs must be an integer'],
      [request(run, {}, { journeyVersion: 0 }), 'journeyVersion must be a positive integer'],
      [request(run, {}, { customerId: 'someone-else' }), "event.customerId must be the run's"],
    ];
    for (const [bad, message] of cases) {
      const failure = record(bad);
      await expect(failure).rejects.toThrow(message);
      await expect(failure).rejects.toMatchObject({ nonRetryable: true });
      await expect(failure).rejects.not.toThrow('lots');
    }
    const badTime = request(run);
    badTime.event.occurredAt = 'yesterday';
    await expect(record(badTime)).rejects.toThrow('event.occurredAt must be an ISO-8601 timestamp');
  });
});
