import { and, eq } from 'drizzle-orm';
import { deliveries, events } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import { stateQuery, type JourneyRunView } from '../../src/workflows/messages';
import {
  PUBLIC_TEST_URL,
  eventually,
  startCairnTestStack,
  type CairnTestStack,
} from '../support/cairn-stack';
import type { ParsedMessage } from '../support/smtp-peer';

const SECRET = 'tracking-secret-for-integration-0123456789';
const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const CUSTOMER = 'clicker';

// One run per cart: email the cart, then wait for the click.
const cartClick = journey('cart-click')
  .name('Cart click')
  .trigger('cart_abandoned')
  .keyedBy('cart_id')
  .steps((s) => [
    s.send('nudge', {
      content: {
        subject: 'Your cart {{trigger.cart_id}}',
        html:
          '<html><body><p><a href="https://shop.test/cart?c={{trigger.cart_id}}&amp;utm=email">' +
          'Back to your cart</a> or <a href="mailto:help@shop.test">write to us</a></p></body></html>',
      },
    }),
    s.waitForEvent('await_click', {
      event: 'email_clicked',
      timeout: '1h',
      onEvent: 'clicked',
      onTimeout: 'timed_out',
    }),
    s.wait('clicked', { for: '1h' }),
    s.wait('timed_out', { for: '1h' }),
  ])
  .toJSON();

const runId = (cart: string) => `journey:cart-click:${CUSTOMER}:${cart}`;

describe('click tracking end to end on the dev server', () => {
  let stack: CairnTestStack;

  beforeAll(async () => {
    stack = await startCairnTestStack({ tracking: { secret: SECRET } });
    expect((await stack.request('POST', '/v1/journeys', cartClick)).status).toBe(201);
    await stack.request('PUT', `/v1/customers/${CUSTOMER}`, { email: 'clicker@example.com' });
    for (const cart of ['c-1', 'c-2']) {
      await stack.request('POST', '/v1/events', {
        id: `abandon-${cart}`,
        customerId: CUSTOMER,
        type: 'cart_abandoned',
        properties: { cart_id: cart },
      });
    }
  });

  afterAll(async () => {
    await stack?.close();
  });

  const state = (cart: string) =>
    stack.temporal.workflow.getHandle(runId(cart)).query<JourneyRunView>(stateQuery);

  async function emailFor(cart: string): Promise<ParsedMessage> {
    const messages = await stack.smtp.waitForMessages(2, 20_000);
    const message = messages.find((m) => m.subject === `Your cart ${cart}`);
    if (!message) throw new Error(`no email for cart ${cart}`);
    return message;
  }

  const linkIn = (message: ParsedMessage, route: 'c' | 'o') => {
    const html = typeof message.html === 'string' ? message.html : '';
    const pattern = new RegExp(`(?:href|src)="(${PUBLIC_TEST_URL}/t/${route}/[A-Za-z0-9_-]+)"`);
    const url = pattern.exec(html)?.[1];
    if (!url) throw new Error(`the email has no /t/${route} link`);
    return url.slice(PUBLIC_TEST_URL.length);
  };

  it('sends the email with its link rewritten, mailto kept and an open pixel', async () => {
    const message = await emailFor('c-1');
    const html = typeof message.html === 'string' ? message.html : '';
    expect(html).not.toContain('https://shop.test/cart');
    expect(html).toContain('href="mailto:help@shop.test"');
    expect(linkIn(message, 'c')).toMatch(/^\/t\/c\//);
    expect(linkIn(message, 'o')).toMatch(/^\/t\/o\//);
  });

  it('redirects the click to the original URL and the cart’s run takes onEvent within 1 s; the other cart’s run keeps waiting', async () => {
    const path = linkIn(await emailFor('c-1'), 'c');
    for (const cart of ['c-1', 'c-2']) {
      await eventually(async () => (await state(cart)).currentStepId === 'await_click');
    }

    const clickedAt = Date.now();
    const response = await stack.api.inject({
      method: 'GET',
      url: path,
      headers: { 'user-agent': BROWSER },
    });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('https://shop.test/cart?c=c-1&utm=email');
    const view = await eventually(
      async () => {
        const run = await state('c-1');
        return run.currentStepId === 'clicked' ? run : null;
      },
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    const elapsed = Date.now() - clickedAt;
    expect(view.currentStepId).toBe('clicked');
    expect(elapsed).toBeLessThan(1_000);

    // The click belongs to cart c-1's run: c-2's run, waiting for the same event type, heard nothing.
    expect((await state('c-2')).currentStepId).toBe('await_click');

    const [delivery] = await stack.database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.workflowId, runId('c-1')));
    const clicks = await stack.database.db
      .select()
      .from(events)
      .where(and(eq(events.customerId, CUSTOMER), eq(events.type, 'email_clicked')));
    expect(clicks).toHaveLength(1);
    expect(clicks[0]).toMatchObject({
      deliveryId: delivery?.id,
      properties: {
        deliveryId: delivery?.id,
        journeyId: 'cart-click',
        stepId: 'nudge',
        linkIndex: 0,
      },
    });
  });

  it('answers the open pixel with a GIF and stores the open against its delivery', async () => {
    const response = await stack.api.inject({
      method: 'GET',
      url: linkIn(await emailFor('c-2'), 'o'),
      headers: { 'user-agent': BROWSER },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/gif');
    const [delivery] = await stack.database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.workflowId, runId('c-2')));
    const opens = await stack.database.db
      .select()
      .from(events)
      .where(and(eq(events.customerId, CUSTOMER), eq(events.type, 'email_opened')));
    expect(opens.map((o) => o.deliveryId)).toEqual([delivery?.id]);
  });
});
