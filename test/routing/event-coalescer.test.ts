import { randomUUID } from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import { customers, deliveries, events } from '../../src/db/schema';
import { createEventCoalescer } from '../../src/routing/event-coalescer';
import { ForeignDeliveryError, UnknownCustomerError } from '../../src/routing/record-events';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('the single-event coalescer', () => {
  let database: TestDatabase;
  let otherDelivery: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(customers).values([{ id: 'ada' }, { id: 'bo' }]);
    otherDelivery = randomUUID();
    await database.db.insert(deliveries).values({
      id: otherDelivery,
      deliveryKey: `key-${otherDelivery}`,
      customerId: 'bo',
      journeyId: 'welcome',
      journeyVersion: 1,
      workflowId: 'journey:welcome:bo',
      stepId: 'hello',
      channel: 'email',
      messageKind: 'marketing',
      status: 'sent',
    });
  });

  afterAll(async () => {
    await database?.close();
  });

  /** How many rows and how many transactions (distinct xmin) stored these events. */
  async function storedBy(ids: string[]) {
    const [row] = await database.db
      .select({
        rows: sql<number>`count(*)::int`,
        transactions: sql<number>`count(distinct xmin::text)::int`,
      })
      .from(events)
      .where(inArray(events.id, ids));
    return row;
  }

  it('stores events arriving together in one statement, each caller answered', async () => {
    let notified = 0;
    const coalescer = createEventCoalescer(database.db, {
      source: 'api',
      onStored: () => (notified += 1),
    });
    const ids = Array.from({ length: 60 }, (_, i) => `together-${i}`);

    const results = await Promise.all(
      ids.map((id) => coalescer.record({ id, customerId: 'ada', type: 'page_viewed' })),
    );

    expect(results.map((r) => r.id)).toEqual(ids);
    expect(results.every((r) => !r.duplicate && !r.routed)).toBe(true);
    expect(await storedBy(ids)).toEqual({ rows: 60, transactions: 1 });
    expect(notified).toBe(1);
  });

  it('keeps storing while a statement is in flight, in few statements', async () => {
    const coalescer = createEventCoalescer(database.db, { source: 'api' });
    const ids = Array.from({ length: 200 }, (_, i) => `waves-${i}`);
    const waves: Promise<unknown>[] = [];
    // The first statement is held in flight for certain, not by timing: its foreign-key check
    // waits for this lock on the customer's row while the other waves arrive.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const rowLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = database.db.transaction(async (tx) => {
      await tx.execute(sql`select id from customers where id = 'ada' for update`);
      locked();
      await held;
    });
    await rowLocked;
    for (let wave = 0; wave < 4; wave += 1) {
      waves.push(
        ...ids
          .slice(wave * 50, wave * 50 + 50)
          .map((id) => coalescer.record({ id, customerId: 'ada', type: 'page_viewed' })),
      );
      await new Promise((resolve) => setImmediate(resolve));
    }
    release();
    await holder;
    await Promise.all(waves);

    const stored = await storedBy(ids);
    expect(stored?.rows).toBe(200);
    // The first wave's statement, then one for everything that arrived while it waited.
    expect(stored?.transactions).toBe(2);
  });

  it("refuses only the caller's own bad event and stores the others", async () => {
    const coalescer = createEventCoalescer(database.db, { source: 'api' });

    const [good, unknown, foreign, alsoGood] = await Promise.allSettled([
      coalescer.record({ id: 'mixed-1', customerId: 'ada', type: 'page_viewed' }),
      coalescer.record({ id: 'mixed-2', customerId: 'nobody', type: 'page_viewed' }),
      coalescer.record({
        id: 'mixed-3',
        customerId: 'ada',
        type: 'email_clicked',
        deliveryId: otherDelivery,
      }),
      coalescer.record({ id: 'mixed-4', customerId: 'bo', type: 'page_viewed' }),
    ]);

    expect(good).toMatchObject({ status: 'fulfilled', value: { duplicate: false } });
    expect(alsoGood).toMatchObject({ status: 'fulfilled', value: { duplicate: false } });
    expect(unknown).toMatchObject({ status: 'rejected' });
    expect((unknown as PromiseRejectedResult).reason).toBeInstanceOf(UnknownCustomerError);
    expect((unknown as PromiseRejectedResult).reason).toMatchObject({ indexes: [0] });
    expect((foreign as PromiseRejectedResult).reason).toBeInstanceOf(ForeignDeliveryError);
    expect(await storedBy(['mixed-1', 'mixed-2', 'mixed-3', 'mixed-4'])).toMatchObject({
      rows: 2,
    });
  });

  it('answers the second of two callers sending one id as the duplicate', async () => {
    const coalescer = createEventCoalescer(database.db, { source: 'api' });

    const [first, second] = await Promise.all([
      coalescer.record({ id: 'twice', customerId: 'ada', type: 'page_viewed' }),
      coalescer.record({ id: 'twice', customerId: 'ada', type: 'page_viewed' }),
    ]);

    expect([first.duplicate, second.duplicate]).toEqual([false, true]);
    expect(await storedBy(['twice'])).toMatchObject({ rows: 1 });
  });
});
