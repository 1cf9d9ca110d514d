import { and, asc, eq, isNull } from 'drizzle-orm';
import { audienceUpkeep, publishSegment } from '../../src/audience';
import { events } from '../../src/db/schema';
import { routePendingEvents } from '../../src/routing/event-router';
import { segmentDefinitionSchema, type SegmentDefinitionInput } from '../../src/segments/schema';
import { createRouterFixture, type RouterFixture } from './router-fixture';

/**
 * The membership changes an event causes are routed in the pass that routes the event: a
 * segment_entered (and the entry into a segment built on that one) reaches its journey with no
 * second pass of the router, which is what keeps "event accepted → run hears of the entry" short.
 */

const buyers: SegmentDefinitionInput = {
  id: 'buyers',
  name: 'Bought in 30 days',
  where: { performed: { event: 'purchase', within: '30d' } },
};
const buyersWithCart: SegmentDefinitionInput = {
  id: 'buyers_with_cart',
  name: 'Buyers who also added to cart',
  where: {
    all: [{ inSegment: { segment: 'buyers' } }, { performed: { event: 'add_to_cart' } }],
  },
};

let f: RouterFixture;
beforeAll(async () => {
  f = await createRouterFixture();
  for (const definition of [buyers, buyersWithCart])
    await publishSegment(f.db.db, segmentDefinitionSchema.parse(definition));
  for (const segment of ['buyers', 'buyers_with_cart']) {
    await f.publish({
      id: `welcome-${segment.replaceAll('_', '-')}`,
      name: `Welcome to ${segment}`,
      trigger: {
        event: 'segment_entered',
        when: {
          conditions: [{ field: 'trigger.properties.segment_id', op: 'eq', value: segment }],
        },
      },
      entry: 'done',
      steps: [{ id: 'done', type: 'exit' }],
    });
  }
});
afterAll(async () => f?.close());

const options = () =>
  f.routerOptions({ audience: audienceUpkeep({ db: f.db.db, emailMarketingDefault: 'opted_in' }) });

async function unrouted(customerId: string) {
  return f.db.db
    .select({ type: events.type })
    .from(events)
    .where(and(eq(events.customerId, customerId), isNull(events.routedAt)))
    .orderBy(asc(events.seq));
}

function segmentEventsOf(customerId: string) {
  return f.db.db
    .select({ id: events.id, type: events.type, properties: events.properties })
    .from(events)
    .where(and(eq(events.customerId, customerId), eq(events.source, 'segments')))
    .orderBy(asc(events.seq));
}

it('one pass routes the event, the entry it causes and the entry that entry causes', async () => {
  await f.addCustomers(['ada']);
  await routePendingEvents(options()); // computes the new segments' (empty) membership
  await f.storeEvents([
    { id: 'ada-cart', customerId: 'ada', type: 'add_to_cart' },
    { id: 'ada-buys', customerId: 'ada', type: 'purchase' },
  ]);

  const claimed = await routePendingEvents(options());

  const entries = await segmentEventsOf('ada');
  expect(entries.map((e) => [e.type, e.properties.segment_id])).toEqual([
    ['segment_entered', 'buyers'],
    ['segment_entered', 'buyers_with_cart'],
  ]);
  expect(claimed).toBe(4);
  expect(await unrouted('ada')).toEqual([]);
  expect(f.calls.starts).toBe(2);
  for (const entry of entries) expect(f.calls.byEvent.get(entry.id)).toBe(1);
});

it('a follow-up waits for an earlier event of its customer that another pass holds', async () => {
  await f.addCustomers(['bo']);
  await f.storeEvents([{ id: 'bo-buys', customerId: 'bo', type: 'purchase' }]);
  // An event stored after bo-buys and held by another router (its lease), not routed yet.
  await f.storeEvents([{ id: 'bo-later', customerId: 'bo', type: 'page_view' }]);
  await f.db.db
    .update(events)
    .set({
      routingClaim: '00000000-0000-4000-8000-000000000000',
      nextRoutingAt: new Date(Date.now() + 60_000),
    })
    .where(eq(events.id, 'bo-later'));

  await routePendingEvents(options());

  // bo-buys was routed and made bo a buyer; the entry, stored after bo-later, waits for it.
  expect((await segmentEventsOf('bo')).map((e) => e.properties.segment_id)).toEqual(['buyers']);
  expect((await unrouted('bo')).map((e) => e.type)).toEqual(['page_view', 'segment_entered']);
});
