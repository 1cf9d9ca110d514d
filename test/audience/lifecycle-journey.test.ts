import { and, eq } from 'drizzle-orm';
import { customerLifecycle, events } from '../../src/db/schema';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { eventually, startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

/**
 * A stage transition end to end on the dev server, with a real Temporal: a customer's first
 * purchase moves them from prospect to new_customer, that move is a lifecycle_changed event, and
 * a journey triggered on exactly that transition sends its email; another transition does not
 * start it.
 */

const transition = (from: string, to: string) => ({
  conditions: [
    { field: 'trigger.properties.from', op: 'eq' as const, value: from },
    { field: 'trigger.properties.to', op: 'eq' as const, value: to },
  ],
});

const firstOrder: JourneyDefinitionInput = {
  id: 'first-order-welcome',
  name: 'Welcome, new customer',
  trigger: { event: 'lifecycle_changed', when: transition('prospect', 'new_customer') },
  entry: 'welcome',
  steps: [
    {
      id: 'welcome',
      type: 'send',
      kind: 'transactional',
      channel: 'email',
      content: { subject: 'Welcome to our customers', html: '<p>Thank you for your order.</p>' },
    },
  ],
};

let stack: CairnTestStack;
beforeAll(async () => {
  stack = await startCairnTestStack();
  expect((await stack.request('POST', '/v1/journeys', firstOrder)).status).toBe(201);
});
afterAll(async () => stack?.close());

async function stageOf(customerId: string): Promise<string | null> {
  const [row] = await stack.database.db
    .select({ stage: customerLifecycle.stage })
    .from(customerLifecycle)
    .where(eq(customerLifecycle.customerId, customerId));
  return row?.stage ?? null;
}

async function send(id: string, customerId: string, type: string, properties = {}) {
  const res = await stack.request('POST', '/v1/events', { id, customerId, type, properties });
  expect(res.status).toBe(202);
}

it('a journey triggered on prospect → new_customer starts when a first purchase makes that move', async () => {
  const put = await stack.request('PUT', '/v1/customers/lena', { email: 'lena@example.com' });
  expect(put.status).toBe(201);
  // A new customer is a prospect at once: a purchase right after is a move from it.
  expect(await stageOf('lena')).toBe('prospect');
  await send('lena-order-1', 'lena', 'purchase', { total: 30 });
  const [message] = await stack.smtp.waitForMessages(1, 20_000);
  expect(message?.envelope.to).toEqual(['lena@example.com']);
  expect(message?.subject).toBe('Welcome to our customers');
  expect(await stageOf('lena')).toBe('new_customer');

  // new_customer → active is another transition: routed, it starts no run of this journey.
  await send('lena-order-2', 'lena', 'purchase', { total: 30 });
  const moved = await eventually(
    async () => {
      const rows = await stack.database.db
        .select({ id: events.id, properties: events.properties })
        .from(events)
        .where(and(eq(events.customerId, 'lena'), eq(events.type, 'lifecycle_changed')));
      return rows.find((row) => row.properties.to === 'active');
    },
    { describe: 'lena moved to active' },
  );
  expect(moved.properties).toEqual({ from: 'new_customer', to: 'active' });
  expect((await stack.awaitRouted(moved.id)).runsStarted).toEqual([]);
  const timeline = await stack.request<{ runs: { journeyId: string }[] }>(
    'GET',
    '/v1/customers/lena/timeline',
  );
  expect(timeline.body.runs.map((r) => r.journeyId)).toEqual(['first-order-welcome']);
});
