import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { events, journeyRuns } from '../../src/db/schema';
import {
  abandonCart001,
  browseAbandonment2h,
  cartAbandonment24h,
  engagementMomentum,
} from '../../src/journeys/library';
import type { JourneyDefinition } from '../../src/journeys/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { routePendingEvents } from '../../src/routing/event-router';
import type { JourneyWorkflowResult } from '../../src/workflows/journey';
import { auth, buildTestApi, routerDeps } from '../api/harness';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';

const MIN = 60_000;

/**
 * The four seed trigger rules (scenarios E and F) end to end: events through the API, the router
 * judging each rule on the stored history, the run waiting out its delay on the time-skipping
 * server and judging the rule again before it enters, its email through the SMTP peer.
 */
describe('behavioural trigger rules, routed and run on the time-skipping server', () => {
  const harness = useTimeSkippingHarness();
  let api: FastifyInstance;
  let customerCount = 0;

  beforeAll(async () => {
    api = await buildTestApi(harness.database, harness.env.client, harness.taskQueue);
    for (const journey of [cartAbandonment24h, browseAbandonment2h, engagementMomentum]) {
      await publish(journey);
    }
    // abandon_cart_001's audience: the seed hands out active_shoppers, a manual segment here.
    const segment = await api.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: auth,
      payload: { id: 'active_shoppers', name: 'Active shoppers', kind: 'manual' },
    });
    expect(segment.statusCode).toBe(201);
    await publish(abandonCart001);
  });
  afterAll(async () => api?.close());

  async function publish(definition: JourneyDefinition): Promise<void> {
    const res = await api.inject({
      method: 'POST',
      url: '/v1/journeys',
      headers: auth,
      payload: definition,
    });
    expect(res.statusCode).toBe(201);
  }

  async function newActiveShopper(): Promise<string> {
    const id = await newCustomer();
    const res = await api.inject({
      method: 'POST',
      url: '/v1/segments/active_shoppers/members',
      headers: auth,
      payload: { add: [id] },
    });
    expect(res.json()).toMatchObject({ entered: 1 });
    return id;
  }

  async function newCustomer(): Promise<string> {
    customerCount += 1;
    const id = `shopper-${customerCount}`;
    const res = await api.inject({
      method: 'PUT',
      url: `/v1/customers/${id}`,
      headers: auth,
      payload: { email: `${id}@example.test`, timeZone: 'UTC' },
    });
    expect(res.statusCode).toBeLessThan(300);
    return id;
  }

  /** Stores events through the API, then has the router route everything pending. */
  async function happen(
    customerId: string,
    items: { type: string; agoMs?: number; properties?: Record<string, unknown> }[],
  ): Promise<void> {
    // The server's clock: earlier tests skipped it days ahead of this machine's.
    const now = await harness.env.currentTimeMs();
    const res = await api.inject({
      method: 'POST',
      url: '/v1/events/batch',
      headers: auth,
      payload: {
        items: items.map((item, index) => ({
          id: `${customerId}-${item.type}-${now}-${index}`,
          customerId,
          type: item.type,
          occurredAt: new Date(now - (item.agoMs ?? 0)).toISOString(),
          properties: item.properties ?? {},
        })),
      },
    });
    expect(res.statusCode).toBeLessThan(300);
    const deps = routerDeps(harness.database, harness.env.client, harness.taskQueue);
    while ((await routePendingEvents(deps)) > 0);
  }

  const runsOf = (journeyId: string, customerId: string) =>
    harness.database.db
      .select()
      .from(journeyRuns)
      .where(and(eq(journeyRuns.journeyId, journeyId), eq(journeyRuns.customerId, customerId)));

  const resultOf = (journeyId: string, customerId: string) =>
    harness.env.client.workflow
      .getHandle(journeyWorkflowId(journeyId, customerId))
      .result() as Promise<JourneyWorkflowResult>;

  const mailTo = (customerId: string) =>
    harness.peers.smtp.messages.filter((m) => m.envelope.to.includes(`${customerId}@example.test`));

  it('cart_abandonment_24h: a cart worth 25 or more gets its reminder a day later', async () => {
    const shopper = await newCustomer();
    const worker = await harness.worker();
    const result = await worker.runUntil(async () => {
      await happen(shopper, [{ type: 'add_to_cart', properties: { cart_value: 40 } }]);
      return resultOf(cartAbandonment24h.id, shopper);
    });
    expect(result).toMatchObject({ status: 'completed' });
    expect(mailTo(shopper).map((m) => m.subject)).toEqual(['Your cart is still waiting']);
  });

  it('cart_abandonment_24h: a purchase during the delay vetoes it, and nothing is sent', async () => {
    const shopper = await newCustomer();
    const worker = await harness.worker();
    const result = await worker.runUntil(async () => {
      await happen(shopper, [{ type: 'add_to_cart', properties: { cart_value: 40 } }]);
      await happen(shopper, [{ type: 'purchase', properties: { order_total: 40 } }]);
      return resultOf(cartAbandonment24h.id, shopper);
    });
    expect(result).toMatchObject({ status: 'exited', finishReason: 'vetoed' });
    expect(mailTo(shopper)).toEqual([]);
  });

  it('cart_abandonment_24h: a cleared cart that was never routed still vetoes it at the re-check', async () => {
    const shopper = await newCustomer();
    const worker = await harness.worker();
    const result = await worker.runUntil(async () => {
      await happen(shopper, [{ type: 'add_to_cart', properties: { cart_value: 40 } }]);
      // As imported history is stored: in the events table, never routed to the run.
      await harness.database.db.insert(events).values({
        id: `${shopper}-cleared`,
        customerId: shopper,
        type: 'cart_cleared',
        occurredAt: new Date((await harness.env.currentTimeMs()) + MIN),
        routedAt: new Date(),
      });
      return resultOf(cartAbandonment24h.id, shopper);
    });
    expect(result).toMatchObject({ status: 'exited', finishReason: 'vetoed' });
    expect(mailTo(shopper)).toEqual([]);
  });

  it('browse_abandonment_2h: the third long view within two hours starts it; it sends after 2 h', async () => {
    const shopper = await newCustomer();
    const worker = await harness.worker();
    const result = await worker.runUntil(async () => {
      await happen(shopper, [
        { type: 'product_view', agoMs: 100 * MIN, properties: { time_on_page: 40 } },
        { type: 'product_view', agoMs: 50 * MIN, properties: { time_on_page: 10 } },
        { type: 'product_view', agoMs: 40 * MIN, properties: { time_on_page: 31 } },
      ]);
      expect(await runsOf(browseAbandonment2h.id, shopper)).toEqual([]);
      await happen(shopper, [{ type: 'product_view', properties: { time_on_page: 90 } }]);
      return resultOf(browseAbandonment2h.id, shopper);
    });
    expect(result).toMatchObject({ status: 'completed' });
    expect(mailTo(shopper).map((m) => m.subject)).toEqual(['Still thinking it over?']);
  });

  it('browse_abandonment_2h: an add_to_cart among the views vetoes it before any run starts', async () => {
    const shopper = await newCustomer();
    await happen(shopper, [
      { type: 'product_view', agoMs: 30 * MIN, properties: { time_on_page: 40 } },
      { type: 'add_to_cart', agoMs: 20 * MIN, properties: { cart_value: 5 } },
      { type: 'product_view', agoMs: 10 * MIN, properties: { time_on_page: 40 } },
      { type: 'product_view', properties: { time_on_page: 40 } },
    ]);
    expect(await runsOf(browseAbandonment2h.id, shopper)).toEqual([]);
    // The cart of 5 is below cart_abandonment_24h's 25: no run there either.
    expect(await runsOf(cartAbandonment24h.id, shopper)).toEqual([]);
  });

  it('engagement_momentum: a product email click then a view within 15 minutes; it outranks browse abandonment', async () => {
    const shopper = await newCustomer();
    const worker = await harness.worker();
    const result = await worker.runUntil(async () => {
      await happen(shopper, [
        { type: 'product_view', agoMs: 30 * MIN, properties: { time_on_page: 40 } },
        { type: 'product_view', agoMs: 20 * MIN, properties: { time_on_page: 40 } },
        { type: 'email_clicked', agoMs: 10 * MIN, properties: { link_type: 'product' } },
        { type: 'product_view', properties: { time_on_page: 40 } },
      ]);
      return resultOf(engagementMomentum.id, shopper);
    });
    expect(result).toMatchObject({ status: 'completed' });
    expect(mailTo(shopper).map((m) => m.subject)).toEqual(['A little something for you']);
    // The third long view also met browse_abandonment_2h, of lower priority: it did not start.
    expect(await runsOf(browseAbandonment2h.id, shopper)).toEqual([]);
  });

  it('engagement_momentum: a click on another link, or too long before, starts nothing', async () => {
    const shopper = await newCustomer();
    await happen(shopper, [
      { type: 'email_clicked', agoMs: 20 * MIN, properties: { link_type: 'product' } },
      { type: 'email_clicked', agoMs: 5 * MIN, properties: { link_type: 'footer' } },
      { type: 'product_view', properties: { time_on_page: 5 } },
    ]);
    expect(await runsOf(engagementMomentum.id, shopper)).toEqual([]);
  });

  it('abandon_cart_001: a cart_add with no purchase within 60 minutes sends once, then cools down 24 h', async () => {
    const shopper = await newActiveShopper();
    const worker = await harness.worker();
    const result = await worker.runUntil(async () => {
      await happen(shopper, [{ type: 'cart_add' }]);
      return resultOf(abandonCart001.id, shopper);
    });
    expect(result).toMatchObject({ status: 'completed' });
    expect(mailTo(shopper).map((m) => m.subject)).toEqual(['Forgot something?']);
    await happen(shopper, [{ type: 'cart_add' }]);
    expect(await runsOf(abandonCart001.id, shopper)).toHaveLength(1);
  });

  it('abandon_cart_001: a purchase within the 60 minutes vetoes it', async () => {
    const shopper = await newActiveShopper();
    const worker = await harness.worker();
    const result = await worker.runUntil(async () => {
      await happen(shopper, [{ type: 'cart_add' }]);
      await happen(shopper, [{ type: 'purchase', properties: { order_total: 12 } }]);
      return resultOf(abandonCart001.id, shopper);
    });
    expect(result).toMatchObject({ status: 'exited', finishReason: 'vetoed' });
    expect(mailTo(shopper)).toEqual([]);
  });

  it('abandon_cart_001: a shopper outside active_shoppers waits out the delay, then is left out', async () => {
    const shopper = await newCustomer();
    const worker = await harness.worker();
    const result = await worker.runUntil(async () => {
      await happen(shopper, [{ type: 'cart_add' }]);
      return resultOf(abandonCart001.id, shopper);
    });
    expect(result).toMatchObject({ status: 'exited', finishReason: 'audience_mismatch' });
    expect(mailTo(shopper)).toEqual([]);
  });

  it('maxExecutions: a customer enters at most that many times, whatever the re-entry policy allows', async () => {
    const trigger = { ...abandonCart001.trigger!, priority: undefined };
    await publish({
      ...abandonCart001,
      id: 'cart-add-once',
      reEntry: { mode: 'after_exit' },
      trigger: { ...trigger, maxExecutions: { limit: 1, within: '30d' } },
    });
    const shopper = await newActiveShopper();
    const worker = await harness.worker();
    const first = await worker.runUntil(async () => {
      await happen(shopper, [{ type: 'cart_add' }]);
      return resultOf('cart-add-once', shopper);
    });
    expect(first).toMatchObject({ status: 'completed' });
    await happen(shopper, [{ type: 'cart_add' }]);
    expect(await runsOf('cart-add-once', shopper)).toHaveLength(1);
  });
});
