import { customers, events } from '../../src/db/schema';
import { claimDueEvents, ORDER_HOLD_ATTEMPTS } from '../../src/routing/outbox-claims';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe("claims keep a customer's events in order", () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase();
    await database.db.insert(customers).values([{ id: 'ada' }, { id: 'bo' }]);
  });

  afterEach(async () => {
    await database?.close();
  });

  /** An earlier event of ada's, backing off after `attempts` failures, then a later one due now. */
  async function aFailingEventThenAnother(attempts: number) {
    const now = new Date();
    const later = new Date(now.getTime() + 60_000);
    await database.db.insert(events).values([
      {
        id: 'ada-first',
        customerId: 'ada',
        type: 'cart_abandoned',
        occurredAt: now,
        routingAttempts: attempts,
        routingError: 'Error: the journey could not start',
        nextRoutingAt: later,
      },
      { id: 'ada-second', customerId: 'ada', type: 'purchase', occurredAt: now },
      { id: 'bo-only', customerId: 'bo', type: 'purchase', occurredAt: now },
    ]);
  }

  const claim = (id: string) =>
    claimDueEvents(database.db, { claim: id, batchSize: 10, leaseMs: 60_000 });

  it('holds back the later event while the earlier one is retrying', async () => {
    await aFailingEventThenAnother(1);
    const batch = await claim('11111111-1111-4111-8111-111111111111');
    expect(batch.map((e) => e.id)).toEqual(['bo-only']);
  });

  it('lets it go once the earlier one has failed too often to wait for', async () => {
    await aFailingEventThenAnother(ORDER_HOLD_ATTEMPTS);
    const batch = await claim('22222222-2222-4222-8222-222222222222');
    expect(batch.map((e) => e.id).sort()).toEqual(['ada-second', 'bo-only']);
  });
});
