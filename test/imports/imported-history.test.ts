/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON; the assertions check the shape. */
import { and, eq, isNull } from 'drizzle-orm';
import {
  customerLifecycle,
  customers,
  events,
  journeyRuns,
  segmentMemberships,
} from '../../src/db/schema';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { eventually } from '../support/eventually';
import { awaitRouted, auth, createHarness, publishJourney, type Harness } from '../api/harness';

/**
 * Imported history feeds the audience and triggers no journey: purchases imported through the
 * API, with the real router (and its audience pass) and a live Temporal, move lifetime_value,
 * orders_count and a segment's membership, and start no run of a journey triggered on purchase;
 * the same import with trigger=true starts one.
 */

let h: Harness;

/** A once-only journey whose run parks a day on its trigger: a run that exists is one started. */
const parked = (id: string, name: string, trigger: JourneyDefinitionInput['trigger']) => ({
  id,
  name,
  trigger,
  reEntry: { mode: 'once' as const },
  entry: 'pause',
  steps: [
    { id: 'pause', type: 'wait' as const, for: '1d', next: 'done' },
    { id: 'done', type: 'exit' as const },
  ],
});
beforeAll(async () => {
  h = await createHarness({ temporal: 'live', router: true });
  for (const id of ['ada', 'bo', 'cy', 'dee', 'eve']) {
    await h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload: {} });
  }
  const segment = await h.inject({
    method: 'POST',
    url: '/v1/segments',
    headers: auth,
    payload: {
      id: 'spent_100',
      name: 'Spent 100',
      where: { profile: { field: 'lifetime_value', op: 'gte', value: 100 } },
    },
  });
  expect(segment.statusCode).toBe(201);
  await publishJourney(h, parked('thanks', 'Thank you for your order', { event: 'purchase' }));
  // Journeys on what history changes at second hand: a segment entry, a stage move.
  await publishJourney(
    h,
    parked('big-spender', 'Welcome to the big spenders', {
      event: 'segment_entered',
      segment: 'spent_100',
    }),
  );
  await publishJourney(
    h,
    parked('stage-move', 'On every stage move', { event: 'lifecycle_changed' }),
  );
  // A run that listens for purchases (its exit): imported history must not signal it either.
  await publishJourney(h, {
    ...parked('cart', 'Cart nudge', { event: 'cart_abandoned' }),
    exitOn: [{ event: 'purchase' }],
  });
}, 30_000);
afterAll(async () => h?.close());

const importPurchases = (rows: object[], query = '') =>
  h.inject({
    method: 'POST',
    url: `/v1/imports/events${query}`,
    headers: { ...auth, 'content-type': 'application/x-ndjson' },
    payload: rows.map((row) => JSON.stringify(row)).join('\n'),
  });

const runsOf = (customerId: string) =>
  h.db.db.select().from(journeyRuns).where(eq(journeyRuns.customerId, customerId));

it('updates profile, scores and segments from imported purchases and starts no run', async () => {
  const res = await importPurchases([
    { id: 'ada-o1', customerId: 'ada', type: 'purchase', properties: { total: 60 } },
    { id: 'ada-o2', customerId: 'ada', type: 'purchase', properties: { total: 70 } },
  ]);
  expect(res.json()).toMatchObject({ imported: 2, triggersJourneys: false });
  for (const id of ['ada-o1', 'ada-o2']) {
    expect((await awaitRouted(h, id)).runsStarted).toEqual([]);
  }
  const [ada] = await h.db.db.select().from(customers).where(eq(customers.id, 'ada'));
  expect(ada?.attributes).toMatchObject({ lifetime_value: 130, orders_count: 2 });
  // The segment reads the profile: the rules' change asks it to look again (the router's next pass).
  const entered = await eventually(
    async () => {
      const rows = await h.db.db
        .select()
        .from(events)
        .where(and(eq(events.customerId, 'ada'), eq(events.type, 'segment_entered')));
      return rows.length > 0 && rows;
    },
    { describe: 'ada entering spent_100' },
  );
  expect(entered).toMatchObject([{ properties: { segment_id: 'spent_100' } }]);
  const member = await h.db.db
    .select()
    .from(segmentMemberships)
    .where(
      and(
        eq(segmentMemberships.segmentId, 'spent_100'),
        eq(segmentMemberships.customerId, 'ada'),
        isNull(segmentMemberships.exitedAt),
      ),
    );
  expect(member).toHaveLength(1);
  const customer = await h.inject({ url: '/v1/customers/ada', headers: auth });
  const engagement = customer.json().scores.find((s: { id: string }) => s.id === 'engagement');
  expect(engagement.value).toBeGreaterThan(0);
  expect(await runsOf('ada')).toEqual([]);
});

it('starts the journey a purchase triggers when the import asks for it', async () => {
  const res = await importPurchases(
    [{ id: 'bo-o1', customerId: 'bo', type: 'purchase', properties: { total: 10 } }],
    '?trigger=true',
  );
  expect(res.json()).toMatchObject({ imported: 1, triggersJourneys: true });
  const state = await awaitRouted(h, 'bo-o1');
  expect(state.runsStarted).toEqual(['journey:thanks:bo']);
  const thanks = (await runsOf('bo')).filter((run) => run.journeyId === 'thanks');
  expect(thanks).toMatchObject([{ triggerEventId: 'bo-o1' }]);
});

it('signals no running run with imported history, and signals it with trigger=true', async () => {
  const cart = await h.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth,
    payload: { id: 'cy-cart', customerId: 'cy', type: 'cart_abandoned' },
  });
  expect(cart.statusCode).toBe(202);
  expect((await awaitRouted(h, 'cy-cart')).runsStarted).toEqual(['journey:cart:cy']);
  const signals = async () => {
    const history = await h.temporal.workflow.getHandle('journey:cart:cy').fetchHistory();
    return (history.events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes
        ? [e.workflowExecutionSignaledEventAttributes]
        : [],
    );
  };
  await importPurchases([{ id: 'cy-old', customerId: 'cy', type: 'purchase' }]);
  expect((await awaitRouted(h, 'cy-old')).runsStarted).toEqual([]);
  expect(await signals()).toEqual([]);
  await importPurchases([{ id: 'cy-new', customerId: 'cy', type: 'purchase' }], '?trigger=true');
  await awaitRouted(h, 'cy-new');
  expect((await signals()).map((s) => s.signalName)).toEqual(['event']);
});

/** The customer's events of this type once the router has dealt with every one of them. */
async function handledEvents(customerId: string, type: string) {
  return eventually(
    async () => {
      const rows = await h.db.db
        .select()
        .from(events)
        .where(and(eq(events.customerId, customerId), eq(events.type, type)));
      return rows.length > 0 && rows.every((row) => row.routedAt !== null) && rows;
    },
    { describe: `${customerId}'s ${type} events handled` },
  );
}

it('starts no journey on a segment entry or stage move that imported history caused', async () => {
  await importPurchases([
    { id: 'eve-o1', customerId: 'eve', type: 'purchase', properties: { total: 80 } },
    { id: 'eve-o2', customerId: 'eve', type: 'purchase', properties: { total: 90 } },
  ]);
  // The entry comes through the due index (the profile rules moved lifetime_value), the stage
  // move straight from the purchases: both are stored as history, handled, and start nothing.
  const entered = await handledEvents('eve', 'segment_entered');
  expect(entered).toMatchObject([{ properties: { segment_id: 'spent_100' }, audienceOnly: true }]);
  const moved = await handledEvents('eve', 'lifecycle_changed');
  expect(moved).toMatchObject([
    { properties: { from: 'prospect', to: 'active' }, audienceOnly: true },
  ]);
  const [stage] = await h.db.db
    .select()
    .from(customerLifecycle)
    .where(eq(customerLifecycle.customerId, 'eve'));
  expect(stage?.stage).toBe('active');
  expect(await runsOf('eve')).toEqual([]);
  // The timeline still tells what history changed.
  const timeline = await h.inject({ url: '/v1/customers/eve/timeline', headers: auth });
  const items = timeline.json().items as { kind: string; segmentId?: string; to?: string }[];
  expect(items).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ kind: 'segment', segmentId: 'spent_100' }),
      expect.objectContaining({ kind: 'lifecycle_stage', to: 'active' }),
    ]),
  );
});

it('starts those journeys when a live event causes the same changes', async () => {
  const res = await h.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth,
    payload: { id: 'dee-o1', customerId: 'dee', type: 'purchase', properties: { total: 150 } },
  });
  expect(res.statusCode).toBe(202);
  const entered = await handledEvents('dee', 'segment_entered');
  expect(entered).toMatchObject([{ properties: { segment_id: 'spent_100' }, audienceOnly: false }]);
  await handledEvents('dee', 'lifecycle_changed');
  const started = await eventually(
    async () => {
      const runs = (await runsOf('dee')).map((run) => run.journeyId).sort();
      return runs.length === 3 && runs;
    },
    { describe: "dee's three runs" },
  );
  expect(started).toEqual(['big-spender', 'stage-move', 'thanks']);
});
