/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any; the assertions check the shape. */
import { eq } from 'drizzle-orm';
import { deliveries, journeyRuns } from '../../src/db/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import {
  auth,
  awaitRouted,
  createHarness,
  publishJourney,
  welcomeJourney,
  type Harness,
} from '../api/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live', router: true });
  for (const id of ['ann', 'bob', 'cy']) {
    await h.inject({
      method: 'PUT',
      url: `/v1/customers/${id}`,
      headers: auth,
      payload: { attributes: { plan: 'pro' } },
    });
  }
  await publish(welcomeJourney);
  await publish({
    ...welcomeJourney,
    id: 'nudge',
    trigger: { event: 'browsed' },
    reEntry: { mode: 'after_exit' },
  });
  await publish({
    ...welcomeJourney,
    id: 'cart',
    trigger: {
      event: 'cart_updated',
      when: { conditions: [{ field: 'profile.plan', op: 'eq', value: 'pro' }] },
    },
    reEntry: { mode: 'keyed', key: 'cart_id' },
  });
});
afterAll(async () => h.close());

const publish = (definition: unknown) => publishJourney(h, definition);
/** Sends an event and waits until the router has routed it, as a caller would. */
const send = async (payload: { id: string } & Record<string, unknown>) => {
  const res = await h.inject({ method: 'POST', url: '/v1/events', headers: auth, payload });
  expect(res.statusCode).toBe(202);
  await awaitRouted(h, payload.id);
  return res;
};
const start = (journey: string, payload: unknown) =>
  h.inject({ method: 'POST', url: `/v1/journeys/${journey}/runs`, headers: auth, payload });
const runsOf = (workflowId: string) =>
  h.db.db.select().from(journeyRuns).where(eq(journeyRuns.workflowId, workflowId));

describe('explicit runs', () => {
  const workflowId = journeyWorkflowId('welcome', 'ann');

  it('starts a run, then reports it already running', async () => {
    const first = await start('welcome', { customerId: 'ann', properties: { source: 'import' } });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      workflowId,
      outcome: 'started',
      runId: expect.any(String),
    });
    const again = await start('welcome', { customerId: 'ann' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ workflowId, outcome: 'already_running', runId: null });
    expect(await runsOf(workflowId)).toHaveLength(1);
  });

  it('shows the registry row, with live:null when no worker answers the query', async () => {
    const res = await h.inject({
      url: `/v1/runs/${encodeURIComponent(workflowId)}`,
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      run: { workflowId, customerId: 'ann', status: 'running', journeyVersion: 1 },
      live: null,
    });
    const list = await h.inject({ url: '/v1/customers/ann/runs', headers: auth });
    expect(list.json().runs).toHaveLength(1);
  });

  it('cancels a run with the cancel signal', async () => {
    const res = await h.inject({
      method: 'POST',
      url: `/v1/runs/${encodeURIComponent(workflowId)}/cancel`,
      headers: auth,
      payload: { reason: 'support request' },
    });
    expect(res.statusCode).toBe(202);
    const history = await h.temporal.workflow.getHandle(workflowId).fetchHistory();
    const names = (history.events ?? []).flatMap(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? [],
    );
    expect(names).toContain('cancel');
  });

  it('refuses a start the re-entry policy forbids, and names missing or stray keys', async () => {
    // once: ann's run ended (recorded by the workflow in production; here by hand).
    await h.db.db
      .update(journeyRuns)
      .set({ status: 'completed' })
      .where(eq(journeyRuns.workflowId, workflowId));
    const blocked = await start('welcome', { customerId: 'ann' });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().error.code).toBe('re_entry_blocked');

    const noKey = await start('cart', { customerId: 'ann', properties: {} });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().error.issues).toEqual([
      { path: 'key', message: expect.stringContaining('cart_id') },
    ]);
    const strayKey = await start('welcome', { customerId: 'bob', key: 'k1' });
    expect(strayKey.json().error.issues).toEqual([
      { path: 'key', message: 'the journey is not keyed' },
    ]);
    const unknown = await start('welcome', { customerId: 'nobody' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.issues).toEqual([
      { path: 'customerId', message: expect.any(String) },
    ]);
  });
});

describe('re-entry through triggers', () => {
  it('after_exit: a run that ended in Temporal is reconciled and a new one starts', async () => {
    const workflowId = journeyWorkflowId('nudge', 'bob');
    await send({ id: 'br-1', customerId: 'bob', type: 'browsed' });
    await h.temporal.workflow.getHandle(workflowId).terminate('test: the run ended');
    await send({ id: 'br-2', customerId: 'bob', type: 'browsed' });
    const rows = await runsOf(workflowId);
    expect(rows.map((r) => [r.triggerEventId, r.status, r.finishReason]).sort()).toEqual([
      ['br-1', 'cancelled', 'temporal_terminated'],
      ['br-2', 'running', null],
    ]);
    expect((await h.temporal.workflow.getHandle(workflowId).describe()).status.name).toBe(
      'RUNNING',
    );
  });

  it('keyed: one run per key, trigger conditions read the profile', async () => {
    await send({ id: 'c-1', customerId: 'cy', type: 'cart_updated', properties: { cart_id: 'A' } });
    await send({ id: 'c-2', customerId: 'cy', type: 'cart_updated', properties: { cart_id: 'B' } });
    await send({ id: 'c-3', customerId: 'cy', type: 'cart_updated', properties: { cart_id: 'A' } });
    await send({ id: 'c-4', customerId: 'cy', type: 'cart_updated', properties: {} });
    const rows = await h.db.db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, 'cart'));
    expect(rows.map((r) => r.runKey).sort()).toEqual(['A', 'B']);

    await h.inject({
      method: 'PUT',
      url: '/v1/customers/cy',
      headers: auth,
      payload: { attributes: { plan: 'free' } },
    });
    await send({ id: 'c-5', customerId: 'cy', type: 'cart_updated', properties: { cart_id: 'C' } });
    expect(
      await h.db.db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, 'cart')),
    ).toHaveLength(2);
  });
});

describe('deliveries', () => {
  it("lists a customer's deliveries newest first with status and reason, without recipient", async () => {
    const base = {
      customerId: 'ann',
      journeyId: 'welcome',
      journeyVersion: 1,
      workflowId: 'w',
      channel: 'email',
      messageKind: 'marketing',
    };
    await h.db.db.insert(deliveries).values([
      {
        ...base,
        deliveryKey: 'k1',
        stepId: 'hello',
        status: 'sent',
        recipient: 'ann@example.com',
        createdAt: new Date('2026-01-01T00:00:00Z'),
      },
      {
        ...base,
        deliveryKey: 'k2',
        stepId: 'again',
        status: 'skipped',
        reason: 'no_consent',
        createdAt: new Date('2026-01-02T00:00:00Z'),
      },
    ]);
    const res = await h.inject({ url: '/v1/customers/ann/deliveries', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(
      res
        .json()
        .deliveries.map((d: { stepId: string; status: string; reason: string | null }) => [
          d.stepId,
          d.status,
          d.reason,
        ]),
    ).toEqual([
      ['again', 'skipped', 'no_consent'],
      ['hello', 'sent', null],
    ]);
    expect(res.body).not.toContain('ann@example.com');
    expect(
      (await h.inject({ url: '/v1/customers/ann/deliveries?limit=0', headers: auth })).json().error
        .issues[0].path,
    ).toBe('limit');
  });
});
