/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any. */
import { asc, eq } from 'drizzle-orm';
import { events, segments, segmentVersions } from '../../src/db/schema';
import { auth, createHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  for (const id of ['ada', 'bo', 'cy']) {
    const res = await h.inject({
      method: 'PUT',
      url: `/v1/customers/${id}`,
      headers: auth,
      payload: {},
    });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(async () => h.close());

const publish = (payload: unknown) =>
  h.inject({ method: 'POST', url: '/v1/segments', headers: auth, payload });
const members = (id: string, payload: unknown) =>
  h.inject({ method: 'POST', url: `/v1/segments/${id}/members`, headers: auth, payload });
const storedSegments = async () =>
  (await h.db.db.select({ id: segments.id }).from(segments).orderBy(asc(segments.id))).map(
    (row) => row.id,
  );

describe('segments API', () => {
  it('publishes versions of a rule segment and reads the active one', async () => {
    const first = await publish({
      id: 'big_spenders',
      name: 'Big spenders',
      where: {
        aggregate: {
          event: 'purchase',
          property: 'total',
          fn: 'sum',
          within: '90d',
          op: 'gte',
          value: 1000,
        },
      },
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ id: 'big_spenders', version: 1, kind: 'rule' });
    const second = await publish({
      id: 'big_spenders',
      name: 'Big spenders',
      where: { profile: { field: 'lifetime_value', op: 'gte', value: 1000 } },
    });
    expect(second.json()).toEqual({ id: 'big_spenders', version: 2, kind: 'rule' });
    const read = await h.inject({ url: '/v1/segments/big_spenders', headers: auth });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      id: 'big_spenders',
      kind: 'rule',
      activeVersion: 2,
      members: 0,
      definition: { where: { profile: { field: 'lifetime_value', op: 'gte', value: 1000 } } },
    });
    const [row] = await h.db.db.select().from(segments).where(eq(segments.id, 'big_spenders'));
    expect(row).toMatchObject({ readsProfile: true, dependsOnEvents: [] });
  });

  it.each([
    [
      'an unknown kind of condition',
      { all: [{ performed: { event: 'purchase' } }, { spent: { over: 5 } }] },
      'where.all.1.spent',
    ],
    [
      'a window without a unit',
      { performed: { event: 'purchase', within: '30' } },
      'where.performed.within',
    ],
    [
      'an unknown field of a condition',
      { performed: { event: 'purchase', times: 3 } },
      'where.performed',
    ],
    [
      'two counts at once',
      { performed: { event: 'x', count: { atLeast: 1, atMost: 3 } } },
      'where.performed.count',
    ],
    ['a segment that does not exist', { inSegment: { segment: 'nobody_made_this' } }, 'where'],
  ])('refuses %s with a 400 naming the path, storing nothing', async (_name, where, path) => {
    const before = await storedSegments();
    const res = await publish({ id: 'refused_one', name: 'Refused', where });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    expect(res.json().error.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ path })]),
    );
    expect(await storedSegments()).toEqual(before);
  });

  it('refuses a cycle between segments, naming it, and stores no version', async () => {
    expect(
      (await publish({ id: 'loop_a', name: 'A', where: { performed: { event: 'x' } } })).statusCode,
    ).toBe(201);
    expect(
      (await publish({ id: 'loop_b', name: 'B', where: { inSegment: { segment: 'loop_a' } } }))
        .statusCode,
    ).toBe(201);
    const res = await publish({
      id: 'loop_a',
      name: 'A',
      where: { not: { inSegment: { segment: 'loop_b' } } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([
      { path: 'where', message: 'segments would read each other: loop_a → loop_b → loop_a' },
    ]);
    const versions = await h.db.db
      .select({ version: segmentVersions.version })
      .from(segmentVersions)
      .where(eq(segmentVersions.segmentId, 'loop_a'));
    expect(versions).toEqual([{ version: 1 }]);
  });

  it('adds and removes manual members, each change an event, unknown ids reported', async () => {
    expect((await publish({ id: 'vip_list', name: 'VIP list', kind: 'manual' })).statusCode).toBe(
      201,
    );
    const added = await members('vip_list', { add: ['ada', 'bo', 'ghost'] });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toEqual({
      entered: 2,
      exited: 0,
      unknownCustomers: ['ghost'],
      unknownCount: 1,
    });
    const again = await members('vip_list', { add: ['ada'], remove: ['bo'] });
    expect(again.json()).toMatchObject({ entered: 0, exited: 1 });
    const page = await h.inject({ url: '/v1/segments/vip_list/members', headers: auth });
    expect(page.json()).toEqual({
      members: [{ customerId: 'ada', version: 1, enteredAt: expect.any(String) }],
      next: null,
    });
    const stored = await h.db.db
      .select({ customerId: events.customerId, type: events.type, properties: events.properties })
      .from(events)
      .where(eq(events.source, 'segments'))
      .orderBy(asc(events.seq));
    expect(stored).toEqual([
      {
        customerId: 'ada',
        type: 'segment_entered',
        properties: { segment_id: 'vip_list', segment_version: 1 },
      },
      {
        customerId: 'bo',
        type: 'segment_entered',
        properties: { segment_id: 'vip_list', segment_version: 1 },
      },
      {
        customerId: 'bo',
        type: 'segment_exited',
        properties: { segment_id: 'vip_list', segment_version: 1 },
      },
    ]);
  });

  it('pages members in id order', async () => {
    await publish({ id: 'paged', name: 'Paged', kind: 'manual' });
    await members('paged', { add: ['cy', 'ada', 'bo'] });
    const first = await h.inject({ url: '/v1/segments/paged/members?limit=2', headers: auth });
    expect(first.json().members.map((m: { customerId: string }) => m.customerId)).toEqual([
      'ada',
      'bo',
    ]);
    expect(first.json().next).toBe('bo');
    const rest = await h.inject({
      url: '/v1/segments/paged/members?limit=2&after=bo',
      headers: auth,
    });
    expect(rest.json()).toMatchObject({ members: [{ customerId: 'cy' }], next: null });
  });

  it('answers 409 for members of a rule segment and 404 for an unknown segment', async () => {
    const rule = await members('big_spenders', { add: ['ada'] });
    expect(rule.statusCode).toBe(409);
    expect(rule.json().error.code).toBe('rule_segment');
    const missing = await members('no_such_segment', { add: ['ada'] });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.issues).toEqual([
      { path: 'id', message: 'no segment with this id' },
    ]);
    expect(
      (await h.inject({ url: '/v1/segments/no_such_segment', headers: auth })).statusCode,
    ).toBe(404);
  });

  it('previews who a condition matches, with a sample in id order', async () => {
    for (const [id, ltv] of [
      ['pm_a', 1500],
      ['pm_b', '2000'],
      ['pm_c', 10],
    ] as const) {
      await h.inject({
        method: 'PUT',
        url: `/v1/customers/${id}`,
        headers: auth,
        payload: { attributes: { lifetime_value: ltv } },
      });
    }
    const preview = (where: unknown, sample?: number) =>
      h.inject({
        method: 'POST',
        url: '/v1/segments/preview',
        headers: auth,
        payload: { where, ...(sample !== undefined ? { sample } : {}) },
      });
    const res = await preview({ profile: { field: 'lifetime_value', op: 'gte', value: 1000 } }, 1);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ count: 2, sample: ['pm_a'], tookMs: expect.any(Number) });
    const none = await preview({ not: { profile: { field: 'lifetime_value', op: 'exists' } } });
    expect(none.json()).toMatchObject({ count: 3, sample: ['ada', 'bo', 'cy'] });
    const missing = await preview({ inSegment: { segment: 'nobody_made_this' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.issues).toEqual([
      { path: 'where', message: 'reads segment "nobody_made_this", which does not exist' },
    ]);
    const bad = await preview({ performed: { event: 'purchase', within: '7' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues).toEqual([
      expect.objectContaining({ path: 'where.performed.within' }),
    ]);
  });

  it('lists segments with member counts', async () => {
    const res = await h.inject({ url: '/v1/segments', headers: auth });
    const listed = res.json().segments as { id: string; members: number; kind: string }[];
    expect(listed.find((s) => s.id === 'vip_list')).toMatchObject({ kind: 'manual', members: 1 });
    expect(listed.find((s) => s.id === 'paged')).toMatchObject({ members: 3 });
  });

  it('publishes a journey triggered by one segment only when that segment exists', async () => {
    const journey = (segment: string) => ({
      id: `on-${segment.replace(/_/g, '-')}`,
      name: 'On a segment',
      trigger: { event: 'segment_entered', segment },
      entry: 'done',
      steps: [{ id: 'done', type: 'exit' }],
    });
    const post = (payload: unknown) =>
      h.inject({ method: 'POST', url: '/v1/journeys', headers: auth, payload });
    const missing = await post(journey('nobody_made_this'));
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.issues).toEqual([
      {
        path: 'trigger.segment',
        message: 'reads segment "nobody_made_this", which does not exist',
      },
    ]);
    expect(
      (await h.inject({ url: '/v1/journeys/on-nobody-made-this', headers: auth })).statusCode,
    ).toBe(404);
    expect((await post(journey('vip_list'))).statusCode).toBe(201);
  });
});
