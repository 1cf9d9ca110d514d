/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are read as loose JSON; the assertions check the shape. */
import { eq } from 'drizzle-orm';
import { CairnClient } from '../../src/client';
import { customers, journeyRuns } from '../../src/db/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import {
  API_KEY,
  auth,
  createHarness,
  publishJourney,
  welcomeJourney,
  type Harness,
} from './harness';

// No worker polls the harness's task queue: started runs stay open in Temporal, which is all a
// start or a cancel signal needs.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live' });
  for (const id of ['ann', 'bob', 'cy', 'dee', 'eve']) {
    await h.inject({
      method: 'PUT',
      url: `/v1/customers/${id}`,
      headers: auth,
      payload: { attributes: { plan: id === 'eve' ? 'free' : 'pro' } },
    });
  }
  await publishJourney(h, welcomeJourney);
  await publishJourney(h, {
    ...welcomeJourney,
    id: 'carts',
    reEntry: { mode: 'keyed', key: 'cart_id' },
  });
  await publishJourney(h, {
    ...welcomeJourney,
    id: 'big-spend',
    trigger: {
      event: 'spent',
      when: { conditions: [{ field: 'trigger.properties.amount', op: 'gte', value: 100 }] },
    },
    reEntry: { mode: 'after_exit' },
  });
});
afterAll(async () => h.close());

const batch = (journey: string, payload: unknown) =>
  h.inject({ method: 'POST', url: `/v1/journeys/${journey}/runs/batch`, headers: auth, payload });
const cancel = (payload: unknown) =>
  h.inject({ method: 'POST', url: '/v1/runs/cancel', headers: auth, payload });
const signalsOf = async (workflowId: string) => {
  const history = await h.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? [],
  );
};

describe('POST /v1/journeys/:id/runs/batch', () => {
  it('answers every item in order with the single start’s outcome; a refusal stays with its item', async () => {
    const res = await batch('welcome', {
      items: [
        { customerId: 'ann' },
        { customerId: 'nobody' },
        { customerId: 'bob', properties: { source: 'import' } },
        { customerId: 'cy', key: 'k1' },
        { customerId: 'ann' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const { items, counts } = res.json();
    expect(items.map((i: { index: number }) => i.index)).toEqual([0, 1, 2, 3, 4]);
    // ann twice in one batch: the first copy starts the run, the repeat finds it running.
    expect(items[0]).toMatchObject({ outcome: 'started' });
    expect(items[4]).toEqual({
      index: 4,
      outcome: 'already_running',
      workflowId: items[0].workflowId,
      runId: null,
    });
    expect(items[1]).toEqual({
      index: 1,
      outcome: 'refused',
      workflowId: null,
      runId: null,
      reason: 'customer_not_found',
      issues: [{ path: 'items.1.customerId', message: expect.any(String) }],
    });
    expect(items[2]).toEqual({
      index: 2,
      outcome: 'started',
      workflowId: journeyWorkflowId('welcome', 'bob'),
      runId: expect.any(String),
    });
    expect(items[3]).toMatchObject({
      outcome: 'refused',
      reason: 'invalid_key',
      issues: [{ path: 'items.3.key', message: 'the journey is not keyed' }],
    });
    expect(counts).toEqual({ started: 2, alreadyRunning: 1, blocked: 0, refused: 2 });
    const rows = await h.db.db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.journeyId, 'welcome'));
    expect(rows.map((r) => r.customerId).sort()).toEqual(['ann', 'bob']);
    const described = await h.temporal.workflow.getHandle(items[2].workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
  });

  it('reports re-entry blocks, missing keys and failed trigger conditions per item', async () => {
    await h.db.db
      .update(journeyRuns)
      .set({ status: 'completed' })
      .where(eq(journeyRuns.workflowId, journeyWorkflowId('welcome', 'bob')));
    const once = await batch('welcome', { items: [{ customerId: 'bob' }] });
    expect(once.json().items).toEqual([
      {
        index: 0,
        outcome: 'blocked',
        workflowId: journeyWorkflowId('welcome', 'bob'),
        runId: null,
        rule: 'once',
      },
    ]);
    const keyed = await batch('carts', {
      items: [{ customerId: 'cy', key: 'A' }, { customerId: 'cy' }, { customerId: 'cy', key: 'B' }],
    });
    expect(keyed.json().items.map((i: { outcome: string }) => i.outcome)).toEqual([
      'started',
      'refused',
      'started',
    ]);
    expect(keyed.json().items[1].issues).toEqual([
      { path: 'items.1.key', message: expect.stringContaining('cart_id') },
    ]);
    const spend = await batch('big-spend', {
      items: [
        { customerId: 'dee', properties: { amount: 250 } },
        { customerId: 'eve', properties: { amount: 5 } },
      ],
    });
    expect(spend.json().items[0]).toMatchObject({ outcome: 'started' });
    expect(spend.json().items[1]).toMatchObject({
      outcome: 'refused',
      reason: 'trigger_conditions_not_met',
      issues: [{ path: 'items.1.properties.amount', message: expect.stringContaining('gte') }],
    });
  });

  it('refuses the whole batch for an unknown journey and names bad items, storing nothing', async () => {
    const unknown = await batch('no-such', { items: [{ customerId: 'ann' }] });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('journey_not_found');

    const before = await h.db.db.select().from(journeyRuns);
    const bad = await batch('welcome', {
      items: [{ customerId: 'dee' }, { customerId: 'bad id!' }, { customerId: 'eve', extra: 1 }],
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['items.1.customerId', 'items.2.extra']);
    const tooMany = await batch('welcome', {
      items: Array.from({ length: 501 }, () => ({ customerId: 'dee' })),
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.issues[0].path).toBe('items');
    const empty = await batch('welcome', { items: [] });
    expect(empty.statusCode).toBe(400);
    expect(await h.db.db.select().from(journeyRuns)).toHaveLength(before.length);
  });

  it('is reachable through the typed client', async () => {
    const client = new CairnClient({ baseUrl: h.baseUrl, apiKey: API_KEY });
    const result = await client.startJourneyRuns('carts', [
      { customerId: 'dee', key: 'C' },
      { customerId: 'ghost', key: 'C' },
    ]);
    expect(result.counts).toEqual({ started: 1, alreadyRunning: 0, blocked: 0, refused: 1 });
    expect(result.items[1]?.reason).toBe('customer_not_found');
  });
});

describe('POST /v1/runs/cancel', () => {
  it('cancels runs by id, answering each id: cancel_requested, not_running, not_found', async () => {
    const annRun = journeyWorkflowId('welcome', 'ann');
    const bobRun = journeyWorkflowId('welcome', 'bob'); // ended by hand above
    const res = await cancel({
      workflowIds: [annRun, 'journey:welcome:nobody', bobRun, annRun],
      reason: 'bulk test',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        { workflowId: annRun, outcome: 'cancel_requested' },
        { workflowId: 'journey:welcome:nobody', outcome: 'not_found' },
        { workflowId: bobRun, outcome: 'not_running' },
        { workflowId: annRun, outcome: 'cancel_requested' },
      ],
      next: null,
    });
    expect(await signalsOf(annRun)).toContain('cancel');
  });

  it('cancels a journey’s running runs page by page, by workflow id after the cursor', async () => {
    const cartRuns = ['A', 'B', 'C'].map((key) =>
      journeyWorkflowId('carts', key === 'C' ? 'dee' : 'cy', key),
    );
    const first = await cancel({ journeyId: 'carts', limit: 2 });
    expect(first.statusCode).toBe(200);
    expect(first.json().items).toHaveLength(2);
    expect(first.json().next).toBe(first.json().items[1].workflowId);
    const second = await cancel({ journeyId: 'carts', limit: 2, after: first.json().next });
    expect(second.json()).toMatchObject({ items: [{ outcome: 'cancel_requested' }], next: null });
    const answered = [...first.json().items, ...second.json().items].map(
      (i: { workflowId: string }) => i.workflowId,
    );
    expect(answered.sort()).toEqual([...cartRuns].sort());
    for (const workflowId of cartRuns) expect(await signalsOf(workflowId)).toContain('cancel');

    const client = new CairnClient({ baseUrl: h.baseUrl, apiKey: API_KEY });
    const all = await client.cancelJourneyRuns('big-spend', { pageSize: 1, reason: 'done' });
    expect(all).toEqual([
      { workflowId: journeyWorkflowId('big-spend', 'dee'), outcome: 'cancel_requested' },
    ]);
    const byId = await client.cancelRuns([journeyWorkflowId('big-spend', 'eve')]);
    expect(byId.items).toEqual([
      { workflowId: journeyWorkflowId('big-spend', 'eve'), outcome: 'not_found' },
    ]);
  });

  it('takes exactly one of workflowIds or journeyId, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, 'workflowIds'],
      [{ workflowIds: ['x'], journeyId: 'welcome' }, 'workflowIds'],
      [{ workflowIds: ['x'], after: 'a' }, 'after'],
      [{ workflowIds: [] }, 'workflowIds'],
      [{ workflowIds: Array.from({ length: 501 }, (_, i) => `w${i}`) }, 'workflowIds'],
      [{ journeyId: 'Bad Id' }, 'journeyId'],
      [{ journeyId: 'welcome', limit: 0 }, 'limit'],
      [{ journeyId: 'welcome', reason: 'x'.repeat(201) }, 'reason'],
    ];
    for (const [payload, path] of cases) {
      const res = await cancel(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
  });
});

describe('with Temporal unreachable', () => {
  let dead: Harness;
  beforeAll(async () => {
    dead = await createHarness({ temporal: 'dead' });
    await publishJourney(dead, { ...welcomeJourney, reEntry: { mode: 'after_exit' } });
    await dead.db.db
      .insert(customers)
      .values(Array.from({ length: 500 }, (_, i) => ({ id: `c-${i}` })));
  });
  afterAll(async () => dead.close());

  it('stops at the first unavailable answer and refuses the rest at once', async () => {
    // 500 items, 32 in flight, 1.5 s deadline each: waiting per item would take 16 rounds (24 s).
    const began = Date.now();
    const res = await dead.inject({
      method: 'POST',
      url: '/v1/journeys/welcome/runs/batch',
      headers: auth,
      payload: { items: Array.from({ length: 500 }, (_, i) => ({ customerId: `c-${i}` })) },
    });
    const seconds = (Date.now() - began) / 1000;
    expect(res.statusCode).toBe(200);
    expect(res.json().counts.refused).toBe(500);
    for (const item of res.json().items) expect(item.reason).toBe('temporal_unavailable');
    expect(seconds).toBeLessThan(12);
    // Nothing is left claimed: every registry row a start claimed was released.
    const running = await dead.db.db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.status, 'running'));
    expect(running).toHaveLength(0);
  });

  it('answers a bulk cancel at once too', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => journeyWorkflowId('welcome', `c-${i}`));
    await dead.db.db.insert(journeyRuns).values(
      ids.map((workflowId, i) => ({
        workflowId,
        journeyId: 'welcome',
        journeyVersion: 1,
        customerId: `c-${i}`,
        status: 'running' as const,
        temporalRunId: `run-${i}`,
        listensTo: [],
      })),
    );
    const began = Date.now();
    const res = await dead.inject({
      method: 'POST',
      url: '/v1/runs/cancel',
      headers: auth,
      payload: { workflowIds: ids },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(500);
    for (const item of res.json().items) expect(item.outcome).toBe('temporal_unavailable');
    expect((Date.now() - began) / 1000).toBeLessThan(12);
  });
});
