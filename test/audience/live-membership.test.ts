/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers are typed any. */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { events, segmentMemberships } from '../../src/db/schema';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import type { SegmentDefinitionInput } from '../../src/segments/schema';
import { eventually, startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

/**
 * Live membership end to end on the dev server: events make customers enter and exit segments,
 * those changes are events that start and end journey runs, and time passing with no event moves
 * a customer out of a windowed segment through the due index.
 */

const segmentIs = (root: 'trigger' | 'event', id: string) => ({
  conditions: [{ field: `${root}.properties.segment_id`, op: 'eq' as const, value: id }],
});

const bigSpenders: SegmentDefinitionInput = {
  id: 'big_spenders',
  name: 'Spent 100 or more in 30 days',
  where: {
    aggregate: {
      event: 'purchase',
      property: 'total',
      fn: 'sum',
      within: '30d',
      op: 'gte',
      value: 100,
    },
  },
};

const thanks: JourneyDefinitionInput = {
  id: 'big-spender-thanks',
  name: 'Thanks, big spender',
  trigger: { event: 'segment_entered', when: segmentIs('trigger', 'big_spenders') },
  entry: 'thanks',
  steps: [
    {
      id: 'thanks',
      type: 'send',
      kind: 'transactional',
      channel: 'email',
      content: { subject: 'Thank you for your orders', html: '<p>Thank you.</p>' },
    },
  ],
};

const openCart: SegmentDefinitionInput = {
  id: 'open_cart',
  name: 'Added to cart in the last hour and bought nothing',
  where: {
    all: [
      { performed: { event: 'add_to_cart', within: '1h' } },
      { notPerformed: { event: 'purchase', within: '1h' } },
    ],
  },
};

const cartNudge: JourneyDefinitionInput = {
  id: 'open-cart-nudge',
  name: 'Nudge an open cart',
  trigger: { event: 'segment_entered', when: segmentIs('trigger', 'open_cart') },
  exitOn: [{ event: 'segment_exited', when: segmentIs('event', 'open_cart') }],
  entry: 'later',
  steps: [
    { id: 'later', type: 'wait', for: '1d', next: 'nudge' },
    {
      id: 'nudge',
      type: 'send',
      kind: 'transactional',
      channel: 'email',
      content: { subject: 'Your cart', html: '<p>Still there.</p>' },
    },
  ],
};

const justBrowsed: SegmentDefinitionInput = {
  id: 'just_browsed',
  name: 'Viewed a page in the last 3 seconds',
  where: { performed: { event: 'page_view', within: '3s' } },
};

let stack: CairnTestStack;
beforeAll(async () => {
  stack = await startCairnTestStack();
  for (const definition of [bigSpenders, openCart, justBrowsed]) {
    expect((await stack.request('POST', '/v1/segments', definition)).status).toBe(201);
  }
  for (const definition of [thanks, cartNudge]) {
    expect((await stack.request('POST', '/v1/journeys', definition)).status).toBe(201);
  }
});
afterAll(async () => stack?.close());

async function customer(id: string): Promise<void> {
  const res = await stack.request('PUT', `/v1/customers/${id}`, { email: `${id}@example.com` });
  expect(res.status).toBeLessThan(300);
}

async function send(id: string, customerId: string, type: string, properties = {}) {
  const res = await stack.request('POST', '/v1/events', { id, customerId, type, properties });
  expect(res.status).toBe(202);
}

function segmentEvents(customerId: string) {
  return stack.database.db
    .select({ type: events.type, properties: events.properties, occurredAt: events.occurredAt })
    .from(events)
    .where(and(eq(events.customerId, customerId), eq(events.source, 'segments')))
    .orderBy(asc(events.seq));
}

async function isMember(segmentId: string, customerId: string): Promise<boolean> {
  const rows = await stack.database.db
    .select({ customerId: segmentMemberships.customerId })
    .from(segmentMemberships)
    .where(
      and(
        eq(segmentMemberships.segmentId, segmentId),
        eq(segmentMemberships.customerId, customerId),
        isNull(segmentMemberships.exitedAt),
      ),
    );
  return rows.length === 1;
}

describe('live segment membership', () => {
  it('an event that crosses the threshold enters the segment, and the journey on entry sends', async () => {
    await customer('ines');
    await send('ines-order-1', 'ines', 'purchase', { total: 60 });
    await stack.awaitRouted('ines-order-1');
    expect(await isMember('big_spenders', 'ines')).toBe(false);

    await send('ines-order-2', 'ines', 'purchase', { total: '45.50' });
    const [message] = await stack.smtp.waitForMessages(1, 20_000);
    expect(message?.envelope.to).toEqual(['ines@example.com']);
    expect(message?.subject).toBe('Thank you for your orders');
    expect(await isMember('big_spenders', 'ines')).toBe(true);
    expect(await segmentEvents('ines')).toEqual([
      {
        type: 'segment_entered',
        properties: { segment_id: 'big_spenders', segment_version: 1 },
        occurredAt: expect.any(Date),
      },
    ]);
  });

  it('a later event exits the segment and ends the run that exits on it', async () => {
    await customer('omar');
    await send('omar-cart', 'omar', 'add_to_cart', { sku: 'lamp' });
    const handle = stack.temporal.workflow.getHandle('journey:open-cart-nudge:omar');
    await eventually(async () => (await handle.describe()).status.name === 'RUNNING', {
      describe: 'the nudge run started on segment entry',
    });
    await send('omar-buys', 'omar', 'purchase', { total: 20 });
    await expect(handle.result()).resolves.toMatchObject({
      status: 'exited',
      finishReason: 'exit_event',
    });
    expect(await isMember('open_cart', 'omar')).toBe(false);
    expect((await segmentEvents('omar')).map((e) => [e.type, e.properties.segment_id])).toEqual([
      ['segment_entered', 'open_cart'],
      ['segment_exited', 'open_cart'],
    ]);
  });

  it('time passing with no event moves a customer out at the window edge, within 60 s', async () => {
    await customer('pia');
    await send('pia-view', 'pia', 'page_view', { path: '/pricing' });
    await eventually(() => isMember('just_browsed', 'pia'), { describe: 'pia entered' });
    const [view] = await stack.database.db
      .select({ occurredAt: events.occurredAt })
      .from(events)
      .where(eq(events.id, 'pia-view'));
    const exited = await eventually(
      async () => (await segmentEvents('pia')).find((e) => e.type === 'segment_exited'),
      { timeoutMs: 60_000, describe: 'pia exited just_browsed with no new event' },
    );
    const edge = (view?.occurredAt.getTime() ?? 0) + 3_000;
    expect(exited.occurredAt.getTime()).toBeGreaterThanOrEqual(edge);
    expect(exited.occurredAt.getTime() - edge).toBeLessThan(60_000);
    expect(await isMember('just_browsed', 'pia')).toBe(false);
  });
});
