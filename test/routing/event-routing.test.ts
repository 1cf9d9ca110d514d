/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any; the assertions check the shape. */
import { and, count, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import {
  buildTestApi,
  auth,
  createHarness,
  httpCall,
  welcomeJourney,
  deadTemporal,
  routerDeps,
  type Harness,
} from '../api/harness';
import { events, journeyRuns } from '../../src/db/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { routePendingEvents, startEventRouter } from '../../src/routing/event-router';
import {
  CustomerIdKey,
  JourneyIdKey,
  JourneyVersionKey,
} from '../../src/workflows/search-attributes';
import { eventually } from '../support/eventually';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live' });
  await h.inject({
    method: 'PUT',
    url: '/v1/customers/cust-1',
    headers: auth,
    payload: { timeZone: 'Europe/Paris' },
  });
  await h.inject({ method: 'POST', url: '/v1/journeys', headers: auth, payload: welcomeJourney });
});
afterAll(async () => h.close());

const send = (payload: unknown) =>
  h.inject({ method: 'POST', url: '/v1/events', headers: auth, payload });
/** One pass of the router over the outbox (this harness runs none); how many it claimed. */
const routeOutbox = (temporal: Client = h.temporal) =>
  routePendingEvents(routerDeps(h.db, temporal, h.taskQueue));
const eventCount = async () => (await h.db.db.select({ n: count() }).from(events))[0]?.n;

/** The first payload of a history event, parsed (the default JSON converter's data). */
function firstPayload<T>(payloads: { data?: Uint8Array | null }[] | null | undefined): T | null {
  const data = payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString()) as T) : null;
}

/**
 * The events the workflow was handed, in order: its trigger (in the start input, as
 * `trigger:<id>`), then each event signal (`event:<id>`).
 */
async function signalsOf(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const started = e.workflowExecutionStartedEventAttributes;
    if (started) {
      const id = firstPayload<{ trigger?: { id?: string } }>(started.input?.payloads)?.trigger?.id;
      return id ? [`trigger:${id}`] : [];
    }
    const attrs = e.workflowExecutionSignaledEventAttributes;
    if (!attrs) return [];
    const id = firstPayload<{ id?: string }>(attrs.input?.payloads)?.id;
    return [`${attrs.signalName}:${id ?? ''}`];
  });
}

describe('event ingestion', () => {
  it('refuses an event for an unknown customer, naming customerId, and stores nothing', async () => {
    const res = await send({ id: 'e-unknown', customerId: 'ghost', type: 'signed_up' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({
      code: 'customer_not_found',
      issues: [{ path: 'customerId' }],
    });
    expect(await eventCount()).toBe(0);
  });

  it('refuses a malformed event naming each field', async () => {
    const res = await send({
      id: 'e-bad',
      customerId: 'cust-1',
      type: '',
      occurredAt: 'yesterday',
      properties: [],
    });
    expect(res.statusCode).toBe(400);
    const paths = res
      .json()
      .error.issues.map((i: { path: string }) => i.path)
      .sort();
    expect(paths).toEqual(['occurredAt', 'properties', 'type']);
    expect(await eventCount()).toBe(0);
  });

  it('rejects a whole batch when one item is bad, naming items.N.field', async () => {
    const res = await h.inject({
      method: 'POST',
      url: '/v1/events/batch',
      headers: auth,
      payload: {
        items: [
          { id: 'b-1', customerId: 'cust-1', type: 'page_viewed' },
          { id: 'b-2', customerId: 'cust-1', type: 'page viewed' },
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([
      { path: 'items.1.type', message: expect.any(String) },
    ]);
    const unknown = await h.inject({
      method: 'POST',
      url: '/v1/events/batch',
      headers: auth,
      payload: {
        items: [
          { id: 'b-1', customerId: 'cust-1', type: 'page_viewed' },
          { id: 'b-3', customerId: 'nobody', type: 'x' },
        ],
      },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.issues).toEqual([
      { path: 'items.1.customerId', message: expect.any(String) },
    ]);
    expect(await eventCount()).toBe(0);
  });
});

describe('routing to Temporal', () => {
  const workflowId = journeyWorkflowId('welcome', 'cust-1');

  it('starts the triggered journey with the trigger in its input, registered and searchable', async () => {
    const res = await send({
      id: 'e-signup',
      customerId: 'cust-1',
      type: 'signed_up',
      properties: { plan: 'pro' },
    });
    expect(res.statusCode).toBe(202);
    // Stored and answered; routing is the router's.
    expect(res.json()).toEqual({ id: 'e-signup', duplicate: false, routed: false });
    expect(await routeOutbox()).toBe(1);

    const [run] = await h.db.db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.workflowId, workflowId));
    expect(run).toMatchObject({
      status: 'running',
      journeyVersion: 1,
      listensTo: ['unsubscribed'],
      triggerEventId: 'e-signup',
      temporalRunId: expect.stringMatching(/\S/),
    });

    const description = await h.temporal.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('journeyWorkflow');
    expect(description.taskQueue).toBe(h.taskQueue);
    expect(description.typedSearchAttributes.get(CustomerIdKey)).toBe('cust-1');
    expect(description.typedSearchAttributes.get(JourneyIdKey)).toBe('welcome');
    expect(description.typedSearchAttributes.get(JourneyVersionKey)).toBe(1);
    expect(await signalsOf(h.temporal, workflowId)).toEqual(['trigger:e-signup']);
    const [stored] = await h.db.db.select().from(events).where(eq(events.id, 'e-signup'));
    expect(stored).toMatchObject({ routedAt: expect.any(Date), routingAttempts: 1 });
    const state = await h.inject({ url: '/v1/events/e-signup', headers: auth });
    expect(state.json()).toEqual({
      id: 'e-signup',
      type: 'signed_up',
      customerId: 'cust-1',
      receivedAt: stored?.receivedAt.toISOString(),
      routed: true,
      routedAt: stored?.routedAt?.toISOString(),
      routingAttempts: 1,
      routingError: null,
      runsStarted: [workflowId],
    });
  });

  it('answers a duplicate event id with duplicate:true and routes nothing again', async () => {
    const res = await send({ id: 'e-signup', customerId: 'cust-1', type: 'signed_up' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'e-signup', duplicate: true, routed: true });
    expect(await routeOutbox()).toBe(0);
    expect(await signalsOf(h.temporal, workflowId)).toEqual(['trigger:e-signup']);
  });

  it('signals running runs that listen to the event type, and only those', async () => {
    expect(
      (await send({ id: 'e-view', customerId: 'cust-1', type: 'page_viewed' })).statusCode,
    ).toBe(202);
    expect(
      (await send({ id: 'e-unsub', customerId: 'cust-1', type: 'unsubscribed' })).statusCode,
    ).toBe(202);
    expect(await routeOutbox()).toBe(2);
    expect(await signalsOf(h.temporal, workflowId)).toEqual(['trigger:e-signup', 'event:e-unsub']);
  });

  it('stores events while Temporal is unreachable and routes them once it answers', async () => {
    await h.inject({ method: 'PUT', url: '/v1/customers/cust-2', headers: auth, payload: {} });
    const dead = deadTemporal();
    const offline = await buildTestApi(h.db, dead.client, h.taskQueue);
    const offlineUrl = await offline.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await httpCall(offlineUrl, {
        method: 'POST',
        url: '/v1/events',
        headers: auth,
        payload: { id: 'e-offline', customerId: 'cust-2', type: 'signed_up' },
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ id: 'e-offline', duplicate: false, routed: false });
    } finally {
      await offline.close();
      await dead.close();
    }
    // The request made no Temporal call: nothing was attempted yet.
    const read = async () =>
      (await h.db.db.select().from(events).where(eq(events.id, 'e-offline')))[0];
    expect(await read()).toMatchObject({ routedAt: null, routingAttempts: 0, routingError: null });
    // The router's pass against the dead Temporal opens its breaker and hands the event back:
    // an outage is not the event's fault, so it burns no attempt.
    const stillDead = deadTemporal();
    try {
      expect(await routeOutbox(stillDead.client)).toBe(1);
    } finally {
      await stillDead.close();
    }
    expect(await read()).toMatchObject({ routedAt: null, routingAttempts: 0, routingError: null });

    const router = startEventRouter({
      db: h.db.db,
      temporal: h.temporal,
      taskQueue: h.taskQueue,
      defaultTimeZone: 'UTC',
      pollIntervalMs: 50,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    try {
      await eventually(
        async () =>
          (await h.db.db.select().from(events).where(eq(events.id, 'e-offline')))[0]?.routedAt,
        { timeoutMs: 15_000, intervalMs: 50, describe: 'the router to route e-offline' },
      );
    } finally {
      await router.stop();
    }
    const wid = journeyWorkflowId('welcome', 'cust-2');
    expect((await h.temporal.workflow.getHandle(wid).describe()).status.name).toBe('RUNNING');
    expect(await signalsOf(h.temporal, wid)).toEqual(['trigger:e-offline']);
  });

  it('routes a batch, reporting duplicates inside it', async () => {
    await h.inject({ method: 'PUT', url: '/v1/customers/cust-3', headers: auth, payload: {} });
    const res = await h.inject({
      method: 'POST',
      url: '/v1/events/batch',
      headers: auth,
      payload: {
        items: [
          { id: 'b-signup', customerId: 'cust-3', type: 'signed_up' },
          { id: 'b-signup', customerId: 'cust-3', type: 'signed_up' },
          { id: 'e-signup', customerId: 'cust-1', type: 'signed_up' },
        ],
      },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().items).toEqual([
      { id: 'b-signup', duplicate: false, routed: false },
      // A repeat within the batch: its first copy is not routed yet.
      { id: 'b-signup', duplicate: true, routed: false },
      { id: 'e-signup', duplicate: true, routed: true },
    ]);
    expect(await routeOutbox()).toBe(1);
    expect(await signalsOf(h.temporal, journeyWorkflowId('welcome', 'cust-3'))).toEqual([
      'trigger:b-signup',
    ]);
  });
});

describe('a batch stored and answered', () => {
  it('stores 500 events in one transaction and answers 202 without touching Temporal', async () => {
    await h.inject({ method: 'PUT', url: '/v1/customers/cust-500', headers: auth, payload: {} });
    // A Temporal that never answers: any call from the request path would take its deadline
    // and leave a routing attempt and error on the events.
    const dead = deadTemporal();
    const offline = await buildTestApi(h.db, dead.client, h.taskQueue);
    const offlineUrl = await offline.listen({ host: '127.0.0.1', port: 0 });
    const ids = Array.from({ length: 500 }, (_, i) => `bulk-${i}`);
    try {
      const res = await httpCall(offlineUrl, {
        method: 'POST',
        url: '/v1/events/batch',
        headers: auth,
        payload: {
          items: ids.map((id, i) => ({
            id,
            customerId: 'cust-500',
            // No journey listens: the router drains them without a Temporal call.
            type: 'page_viewed',
            properties: { n: i, quote: 'a "quoted" \\ {brace}' },
          })),
        },
      });
      expect(res.statusCode).toBe(202);
      expect(res.json().items).toHaveLength(500);
    } finally {
      await offline.close();
      await dead.close();
    }
    // One transaction: every row carries the same xmin. All due, none attempted.
    const [row] = await h.db.db
      .select({
        rows: sql<number>`count(*)::int`,
        transactions: sql<number>`count(distinct xmin::text)::int`,
        attempts: sql<number>`coalesce(sum(${events.routingAttempts}), 0)::int`,
      })
      .from(events)
      .where(
        and(
          inArray(events.id, ids),
          isNull(events.routedAt),
          isNull(events.routingError),
          lte(events.nextRoutingAt, sql`now()`),
        ),
      );
    expect(row).toEqual({ rows: 500, transactions: 1, attempts: 0 });
    const [first] = await h.db.db.select().from(events).where(eq(events.id, 'bulk-1'));
    expect(first?.properties).toEqual({ n: 1, quote: 'a "quoted" \\ {brace}' });
    // The router then routes them all (in passes of 50).
    let claimed = 0;
    for (let pass = await routeOutbox(); pass > 0; pass = await routeOutbox()) claimed += pass;
    expect(claimed).toBe(500);
  });
});

describe('GET /v1/events/:id', () => {
  it('404s naming id for an unknown event and 400s naming waitMs for a bad wait', async () => {
    const unknown = await h.inject({ url: '/v1/events/never-sent', headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({
      code: 'event_not_found',
      issues: [{ path: 'id' }],
    });
    for (const bad of ['-1', '30001', 'soon', '1.5']) {
      const res = await h.inject({ url: `/v1/events/e-signup?waitMs=${bad}`, headers: auth });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.issues).toEqual([{ path: 'waitMs', message: expect.any(String) }]);
    }
  });

  it('waits for routing: answers once the router has routed it, or unrouted when the wait ends', async () => {
    await send({ id: 'wait-1', customerId: 'cust-1', type: 'page_viewed' });
    const started = Date.now();
    const unrouted = await h.inject({ url: '/v1/events/wait-1?waitMs=300', headers: auth });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(unrouted.json()).toMatchObject({ id: 'wait-1', routed: false, routedAt: null });
    const waiting = h.inject({ url: '/v1/events/wait-1?waitMs=20000', headers: auth });
    expect(await routeOutbox()).toBe(1);
    expect((await waiting).json()).toMatchObject({
      id: 'wait-1',
      routed: true,
      routedAt: expect.any(String),
      runsStarted: [],
    });
  });
});
