import { eq } from 'drizzle-orm';
import { events, journeyRuns } from '../../src/db/schema';
import type { DevServer } from '../../src/dev/temporal-dev-server';
import { journey } from '../../src/journeys/builders';
import { restartableTemporal } from '../support/restartable-temporal';
import { eventually, startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

const greeting = journey('greeting')
  .name('Greeting')
  .trigger('user_signup')
  .steps((s) => [s.send('hello', { content: { subject: 'Hello', html: '<p>Hello</p>' } })])
  .toJSON();

describe('an accepted event survives a Temporal outage', () => {
  const temporal = restartableTemporal('cairn-outage-');
  let server: DevServer;
  let stack: CairnTestStack;

  beforeAll(async () => {
    server = await temporal.start();
    stack = await startCairnTestStack({
      temporalAddress: server.address,
      temporalTimeoutMs: 1_000,
    });
    expect((await stack.request('POST', '/v1/journeys', greeting)).status).toBe(201);
    expect(
      (await stack.request('PUT', '/v1/customers/hopper', { email: 'hopper@example.com' })).status,
    ).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
    await server?.stop();
    temporal.remove();
  });

  it('is stored while Temporal is down and routed once it is back', async () => {
    await server.stop();

    // The request path makes no Temporal call: it answers at once, far inside the 1 s deadline
    // each Temporal call would wait out (the router alone meets the outage, in the background).
    const timings: number[] = [];
    const timedPost = async (payload: unknown) => {
      const started = performance.now();
      const response = await stack.request('POST', '/v1/events', payload);
      timings.push(performance.now() - started);
      return response;
    };
    const accepted = await timedPost({
      id: 'signup-hopper',
      customerId: 'hopper',
      type: 'user_signup',
    });
    expect(accepted).toMatchObject({ status: 202, body: { id: 'signup-hopper', routed: false } });
    for (let i = 0; i < 4; i += 1) {
      const other = await timedPost({
        id: `view-hopper-${i}`,
        customerId: 'hopper',
        type: 'viewed',
      });
      expect(other.status).toBe(202);
    }
    const sorted = [...timings].sort((a, b) => a - b);
    expect(sorted[2]).toBeLessThan(100);
    expect(sorted[4]).toBeLessThan(1_000);
    const [stored] = await stack.database.db
      .select()
      .from(events)
      .where(eq(events.id, 'signup-hopper'));
    expect(stored).toMatchObject({ type: 'user_signup', routedAt: null });

    server = await temporal.start();

    const routed = await eventually(
      async () => {
        const [row] = await stack.database.db
          .select()
          .from(events)
          .where(eq(events.id, 'signup-hopper'));
        return row?.routedAt ? row : null;
      },
      { timeoutMs: 45_000, describe: 'signup-hopper routed once Temporal is back' },
    );
    expect(routed.routingAttempts).toBeGreaterThanOrEqual(1);
    // Every event stored during the outage is routed (the views concern no journey).
    for (let i = 0; i < 4; i += 1) await stack.awaitRouted(`view-hopper-${i}`);
    const [message] = await stack.smtp.waitForMessages(1, 30_000);
    expect(message?.envelope.to).toEqual(['hopper@example.com']);
    const runs = await stack.database.db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.customerId, 'hopper'));
    expect(runs).toHaveLength(1);
  });
});
