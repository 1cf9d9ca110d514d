/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any; the assertions check the shape. */
import { count } from 'drizzle-orm';
import { segments } from '../../src/db/schema';
import { eventually } from '../support/eventually';
import { auth, createHarness, type Harness } from './harness';

/**
 * The lifecycle API: the list of stages with their rules and aliases, each customer's stage on
 * GET /v1/customers/{id} as the router keeps it (a dead Temporal does not hold the audience back),
 * and segments that read a stage by its canonical id only.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead', router: true });
});
afterAll(async () => h.close());

const get = (url: string) => h.inject({ url, headers: auth });

interface CustomerBody {
  attributes: Record<string, unknown>;
  lifecycle?: { stage: string; since: string } | null;
}

const customer = async (id: string) => (await get(`/v1/customers/${id}`)).json() as CustomerBody;

it('lists the stages in order of precedence, with their rules and aliases', async () => {
  const res = await get('/v1/lifecycle-stages');
  expect(res.statusCode).toBe(200);
  const body = res.json() as { changeEvent: string; stages: { id: string; aliases: string[] }[] };
  expect(body.changeEvent).toBe('lifecycle_changed');
  expect(body.stages.map((s) => s.id)).toEqual([
    'churned',
    'at_risk',
    'vip',
    'active',
    'new_customer',
    'prospect',
  ]);
  expect(body.stages[2]).toMatchObject({
    id: 'vip',
    aliases: expect.arrayContaining(['loyal']),
    where: { profile: { field: 'lifetime_value', op: 'gte', value: 1000 } },
  });
  expect(body.stages[3]?.aliases).toEqual(expect.arrayContaining(['customer', 'active_customer']));
});

it("shows the customer's stage, kept live from the profile rules' lifetime_value", async () => {
  const put = await h.inject({
    method: 'PUT',
    url: '/v1/customers/zoe',
    headers: auth,
    payload: { email: 'zoe@example.com' },
  });
  expect(put.statusCode).toBe(201);
  const prospect = await eventually(
    async () => {
      const body = await customer('zoe');
      return body.lifecycle?.stage === 'prospect' ? body : null;
    },
    { describe: 'zoe is a prospect' },
  );
  expect(prospect.lifecycle).toEqual({ stage: 'prospect', since: expect.any(String) });

  const event = await h.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth,
    payload: { id: 'zoe-order', customerId: 'zoe', type: 'purchase', properties: { total: 1200 } },
  });
  expect(event.statusCode).toBe(202);
  const vip = await eventually(
    async () => {
      const body = await customer('zoe');
      return body.lifecycle?.stage === 'vip' ? body : null;
    },
    { describe: 'zoe is a vip' },
  );
  expect(vip.attributes).toMatchObject({ lifetime_value: 1200, orders_count: 1 });
});

it('an attribute named lifecycle_stage does not set the stage', async () => {
  const res = await h.inject({
    method: 'PUT',
    url: '/v1/customers/yann',
    headers: auth,
    payload: { attributes: { lifecycle_stage: 'vip' } },
  });
  expect(res.statusCode).toBe(201);
  await eventually(async () => (await customer('yann')).lifecycle?.stage, {
    describe: 'yann has a stage',
  });
  expect((await customer('yann')).lifecycle?.stage).toBe('prospect');
});

it('refuses a segment naming a stage alias or an unknown stage, and stores nothing', async () => {
  const before = (await h.db.db.select({ n: count() }).from(segments))[0]?.n;
  for (const [stage, message] of [
    ['customer', 'an alias of "active": use "active"'],
    ['gold', 'which does not exist'],
  ] as const) {
    const res = await h.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: auth,
      payload: { id: 'stage_test', name: 'Stage', where: { lifecycleStage: { stage } } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([
      { path: 'where', message: expect.stringContaining(message) },
    ]);
  }
  expect((await h.db.db.select({ n: count() }).from(segments))[0]?.n).toBe(before);
  const ok = await h.inject({
    method: 'POST',
    url: '/v1/segments',
    headers: auth,
    payload: { id: 'stage_test', name: 'Stage', where: { lifecycleStage: { stage: 'churned' } } },
  });
  expect(ok.statusCode).toBe(201);
});

it('the timeline reads segment entries and exits and stage moves', async () => {
  for (const definition of [
    {
      id: 'viewed_now',
      name: 'Viewed a page just now',
      where: { performed: { event: 'page_view', within: '2s' } },
    },
    { id: 'vips', name: 'VIPs', where: { lifecycleStage: { stage: 'vip' } } },
  ]) {
    const res = await h.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: auth,
      payload: definition,
    });
    expect(res.statusCode).toBe(201);
  }
  await h.inject({ method: 'PUT', url: '/v1/customers/tim', headers: auth, payload: {} });
  await eventually(async () => (await customer('tim')).lifecycle?.stage === 'prospect', {
    describe: 'tim is a prospect',
  });
  for (const [id, type, properties] of [
    ['tim-view', 'page_view', { path: '/pricing' }],
    ['tim-order', 'purchase', { total: 1500 }],
  ] as const) {
    const res = await h.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: { id, customerId: 'tim', type, properties },
    });
    expect(res.statusCode).toBe(202);
  }
  type Item = {
    kind: string;
    change?: string;
    segmentId?: string;
    from?: string;
    to?: string;
    type?: string;
  };
  const read = (item: Item) =>
    item.kind === 'segment'
      ? `segment ${item.change} ${item.segmentId}`
      : item.kind === 'lifecycle_stage'
        ? `stage ${item.from} → ${item.to}`
        : `event ${item.type}`;
  const items = await eventually(
    async () => {
      const res = await get('/v1/customers/tim/timeline');
      const labels = (res.json() as { items: Item[] }).items.map(read);
      return labels.includes('segment exited viewed_now') && labels.includes('segment entered vips')
        ? labels
        : null;
    },
    { describe: 'the timeline shows the exit from viewed_now and the entry into vips' },
  );
  const changes = items.filter((label) => !label.startsWith('event '));
  expect([...changes].sort()).toEqual([
    'segment entered viewed_now',
    'segment entered vips',
    'segment exited viewed_now',
    'stage prospect → vip',
  ]);
  // Each change is dated when it happened, so only causes before effects is an order the timeline
  // owes: the window's exit and the purchase's stage move race on a busy machine.
  const at = (label: string) => changes.indexOf(label);
  expect(at('segment entered viewed_now')).toBeLessThan(at('segment exited viewed_now'));
  expect(at('stage prospect → vip')).toBeLessThan(at('segment entered vips'));
  // Read in place of their bare events: no segment_entered or lifecycle_changed event items.
  expect(items).toEqual(expect.arrayContaining(['event page_view', 'event purchase']));
  expect(items.some((label) => /event (segment_|lifecycle_)/.test(label))).toBe(false);
});
