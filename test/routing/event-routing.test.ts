/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any; the assertions check the shape. */
import { count, eq } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import {
  buildTestApi,
  auth,
  createHarness,
  httpCall,
  welcomeJourney,
  deadTemporal,
  type Harness,
} from '../api/harness';
import { events, journeyRuns } from '../../src/db/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { startEventRouter } from '../../src/routing/event-router';
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
const eventCount = async () => (await h.db.db.select({ n: count() }).from(events))[0]?.n;

/** Signals the workflow received, as (name, event id) pairs from its history. */
async function signalsOf(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const attrs = e.workflowExecutionSignaledEventAttributes;
    if (!attrs) return [];
    const payload = attrs.input?.payloads?.[0]?.data;
    const id = payload
      ? (JSON.parse(Buffer.from(payload).toString()) as { id?: string }).id
      : undefined;
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

  it('starts the triggered journey with signalWithStart, registered and searchable', async () => {
    const res = await send({
      id: 'e-signup',
      customerId: 'cust-1',
      type: 'signed_up',
      properties: { plan: 'pro' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id: 'e-signup', duplicate: false, routed: true });

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
    expect(await signalsOf(h.temporal, workflowId)).toEqual(['event:e-signup']);
    const [stored] = await h.db.db.select().from(events).where(eq(events.id, 'e-signup'));
    expect(stored).toMatchObject({ routedAt: expect.any(Date) });
  });

  it('answers a duplicate event id with duplicate:true and routes nothing again', async () => {
    const res = await send({ id: 'e-signup', customerId: 'cust-1', type: 'signed_up' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'e-signup', duplicate: true, routed: true });
    expect(await signalsOf(h.temporal, workflowId)).toEqual(['event:e-signup']);
  });

  it('signals running runs that listen to the event type, and only those', async () => {
    expect(
      (await send({ id: 'e-view', customerId: 'cust-1', type: 'page_viewed' })).json().routed,
    ).toBe(true);
    expect(
      (await send({ id: 'e-unsub', customerId: 'cust-1', type: 'unsubscribed' })).json().routed,
    ).toBe(true);
    expect(await signalsOf(h.temporal, workflowId)).toEqual(['event:e-signup', 'event:e-unsub']);
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
    const [stored] = await h.db.db.select().from(events).where(eq(events.id, 'e-offline'));
    expect(stored).toMatchObject({
      routedAt: null,
      routingAttempts: 1,
      routingError: expect.stringMatching(/\S/),
    });

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
    expect(await signalsOf(h.temporal, wid)).toEqual(['event:e-offline']);
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
      { id: 'b-signup', duplicate: false, routed: true },
      { id: 'b-signup', duplicate: true, routed: true },
      { id: 'e-signup', duplicate: true, routed: true },
    ]);
    expect(await signalsOf(h.temporal, journeyWorkflowId('welcome', 'cust-3'))).toEqual([
      'event:b-signup',
    ]);
  });
});
