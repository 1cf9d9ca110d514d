import { eq } from 'drizzle-orm';
import { events } from '../../src/db/schema';
import { startEventRouter } from '../../src/routing/event-router';
import { createOutboxSignal } from '../../src/routing/outbox-signal';
import { eventually } from '../support/eventually';
import { createRouterFixture, type RouterFixture } from './router-fixture';

describe('the outbox signal', () => {
  let f: RouterFixture;
  beforeAll(async () => {
    f = await createRouterFixture();
    await f.publish({
      id: 'welcome',
      name: 'Welcome',
      trigger: { event: 'signed_up' },
      entry: 'pause',
      steps: [{ id: 'pause', type: 'wait', for: '1d' }],
    });
    await f.addCustomers(['ada', 'bo']);
  });
  afterAll(async () => f?.close());

  const routedAt = async (id: string) =>
    (await f.db.db.select().from(events).where(eq(events.id, id)))[0]?.routedAt;

  it('starts a pass at once instead of at the next poll, and every notify is answered', async () => {
    const signal = createOutboxSignal();
    // A poll an hour away: only a notify can route anything after the first, empty pass.
    const router = startEventRouter(f.routerOptions({ pollIntervalMs: 3_600_000, signal }));
    try {
      await f.storeEvents([{ id: 'ada-signup', customerId: 'ada', type: 'signed_up' }]);
      signal.notify();
      await eventually(() => routedAt('ada-signup'), { describe: 'ada-signup routed' });
      expect(f.calls.starts).toBe(1);

      // Notifies in a burst, some while a pass runs: they coalesce, and none is lost.
      await f.storeEvents([{ id: 'bo-signup', customerId: 'bo', type: 'signed_up' }]);
      for (let i = 0; i < 5; i += 1) signal.notify();
      await eventually(() => routedAt('bo-signup'), { describe: 'bo-signup routed' });
      expect(f.calls.starts).toBe(2);
    } finally {
      await router.stop();
    }
  });
});
