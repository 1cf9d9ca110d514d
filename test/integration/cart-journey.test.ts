import { count, eq } from 'drizzle-orm';
import { events, journeyRuns } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import { stateQuery } from '../../src/workflows/messages';
import type { DeliveryList, EventResult, RunDetail } from '../../src/client';
import { eventually, startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

// The abandoned cart, with its hour-long wait shortened to two seconds so it runs for real.
const quickCart = journey('quick-cart')
  .name('Abandoned cart, short wait')
  .trigger('cart_abandoned')
  .keyedBy('cart_id')
  .exitOn('purchase')
  .steps((s) => [
    s.wait('wait_briefly', { for: '2s' }),
    s.send('cart_email', {
      content: {
        subject: 'You left something behind, {{profile.first_name}}',
        html:
          '<ul>{{#each trigger.cart_items}}<li>{{name}}: {{money price currency="USD"}}</li>{{/each}}</ul>' +
          '<p>Total {{money trigger.cart_total currency="USD"}}</p>',
      },
    }),
  ])
  .toJSON();

describe('HTTP → Temporal dev server → SMTP, end to end', () => {
  let stack: CairnTestStack;

  beforeAll(async () => {
    stack = await startCairnTestStack();
    expect((await stack.request('POST', '/v1/journeys', quickCart)).status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function customer(id: string) {
    const response = await stack.request('PUT', `/v1/customers/${id}`, {
      email: `${id}@example.com`,
      attributes: { first_name: 'Grace' },
    });
    expect(response.status).toBeLessThan(300);
  }

  function cartAbandoned(id: string, customerId: string, cartId = 'cart-7') {
    return {
      id,
      customerId,
      type: 'cart_abandoned',
      properties: {
        cart_id: cartId,
        cart_total: 59.5,
        cart_items: [
          { name: 'Desk lamp', price: 39.5 },
          { name: 'Bulb <LED>', price: 20 },
        ],
      },
    };
  }

  it('sends the cart email with the rendered items after the wait', async () => {
    await customer('grace');
    const accepted = await stack.request(
      'POST',
      '/v1/events',
      cartAbandoned('evt-grace-1', 'grace'),
    );
    expect(accepted).toMatchObject({ status: 202, body: { routed: false } });
    expect((await stack.awaitRouted('evt-grace-1')).runsStarted).toHaveLength(1);

    const [message] = await stack.smtp.waitForMessages(1, 20_000);
    expect(message?.envelope.to).toEqual(['grace@example.com']);
    expect(message?.subject).toBe('You left something behind, Grace');
    expect(message?.html).toContain('<li>Desk lamp: $39.50</li>');
    expect(message?.html).toContain('<li>Bulb &lt;LED&gt;: $20.00</li>');
    expect(message?.html).toContain('Total $59.50');

    const deliveries = await eventually(async () => {
      const response = await stack.request<DeliveryList>('GET', '/v1/customers/grace/deliveries');
      // The peer has the message a moment before the ledger records it as sent.
      const [only] = response.body.deliveries;
      return response.body.deliveries.length === 1 && only?.status === 'sent'
        ? response.body.deliveries
        : null;
    });
    expect(deliveries[0]).toMatchObject({ stepId: 'cart_email', status: 'sent' });
  });

  it('exits on a purchase during the wait and sends nothing', async () => {
    await customer('linus');
    await stack.request('POST', '/v1/events', cartAbandoned('evt-linus-1', 'linus'));
    await stack.awaitRouted('evt-linus-1');
    const purchase = await stack.request<EventResult>('POST', '/v1/events', {
      id: 'evt-linus-2',
      customerId: 'linus',
      type: 'purchase',
      properties: { cart_id: 'cart-7' },
    });
    expect(purchase.status).toBe(202);
    await stack.awaitRouted('evt-linus-2');

    const handle = stack.temporal.workflow.getHandle('journey:quick-cart:linus:cart-7');
    await expect(handle.result()).resolves.toMatchObject({
      status: 'exited',
      finishReason: 'exit_event',
    });
    const run = await eventually(async () => {
      const response = await stack.request<RunDetail>(
        'GET',
        '/v1/runs/journey:quick-cart:linus:cart-7',
      );
      return response.body.run.status === 'exited' ? response.body.run : null;
    });
    expect(run.finishReason).toBe('exit_event');
    const deliveries = await stack.request<DeliveryList>('GET', '/v1/customers/linus/deliveries');
    expect(deliveries.body.deliveries).toEqual([]);
    expect(stack.smtp.messages.filter((m) => m.envelope.to.includes('linus@example.com'))).toEqual(
      [],
    );
  });

  it('cancels a run through the API: it ends as cancelled and sends nothing', async () => {
    await customer('margaret');
    await stack.request('POST', '/v1/events', cartAbandoned('evt-margaret-1', 'margaret'));
    await stack.awaitRouted('evt-margaret-1');
    const workflowId = 'journey:quick-cart:margaret:cart-7';
    const cancelled = await stack.request('POST', `/v1/runs/${workflowId}/cancel`, {
      reason: 'support request',
    });
    expect(cancelled.status).toBeLessThan(300);
    await expect(stack.temporal.workflow.getHandle(workflowId).result()).resolves.toMatchObject({
      status: 'cancelled',
      finishReason: 'cancelled',
    });
    const run = await stack.request<RunDetail>('GET', `/v1/runs/${workflowId}`);
    expect(run.body.run).toMatchObject({ status: 'cancelled', finishReason: 'cancelled' });
    expect(
      stack.smtp.messages.filter((m) => m.envelope.to.includes('margaret@example.com')),
    ).toEqual([]);
  });

  it('ignores a duplicate event id: one stored event, one run, one message', async () => {
    await customer('ada');
    const first = await stack.request('POST', '/v1/events', cartAbandoned('evt-ada-1', 'ada'));
    const again = await stack.request(
      'POST',
      '/v1/events',
      cartAbandoned('evt-ada-1', 'ada', 'cart-8'),
    );
    expect(first.status).toBe(202);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
    expect((await stack.awaitRouted('evt-ada-1')).runsStarted).toEqual([
      'journey:quick-cart:ada:cart-7',
    ]);

    const [stored] = await stack.database.db
      .select({ n: count() })
      .from(events)
      .where(eq(events.customerId, 'ada'));
    expect(stored?.n).toBe(1);
    const runs = await stack.database.db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.customerId, 'ada'));
    expect(runs.map((r) => r.workflowId)).toEqual(['journey:quick-cart:ada:cart-7']);
    await stack.temporal.workflow.getHandle('journey:quick-cart:ada:cart-7').result();
    expect(
      stack.smtp.messages.filter((m) => m.envelope.to.includes('ada@example.com')),
    ).toHaveLength(1);
  });

  it('makes the run findable in a visibility query by CustomerId, with its journey and status', async () => {
    await customer('barbara');
    await stack.request('POST', '/v1/events', cartAbandoned('evt-barbara-1', 'barbara'));
    const handle = stack.temporal.workflow.getHandle('journey:quick-cart:barbara:cart-7');
    await eventually(async () => (await handle.query(stateQuery)).currentStepId, {
      describe: 'the run to answer its state query with a current step',
    });

    const found = await eventually(async () => {
      const runs = [];
      for await (const run of stack.temporal.workflow.list({ query: `CustomerId = 'barbara'` }))
        runs.push(run);
      return runs.length > 0 ? runs : null;
    });
    expect(found[0]?.workflowId).toBe('journey:quick-cart:barbara:cart-7');
    expect(found[0]?.searchAttributes).toMatchObject({
      JourneyId: ['quick-cart'],
      JourneyVersion: [1],
    });
    await handle.result();
  });
});
