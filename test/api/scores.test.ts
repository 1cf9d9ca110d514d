/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any. */
import { count } from 'drizzle-orm';
import { loadScoreCatalogue } from '../../src/audience/score-catalogue';
import type { Customer } from '../../src/contract/customers';
import { loadProfileSnapshot } from '../../src/customers';
import type { ScoreDetail, ScoreList } from '../../src/contract/scores';
import { scoreDefinitions, scoreVersions } from '../../src/db/schema';
import { DAY_MS } from '../../src/scores';
import { eventually } from '../support/eventually';
import { auth, awaitRouted, createHarness, type Harness } from './harness';

/**
 * Scores users publish: POST /v1/scores stores the definition as the score's next version, the
 * router backfills a decaying one from the event history and counts it live, and every reader —
 * the profile API, segments — sees it once it is active.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead', router: true });
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

const NOW = Date.now();
const ago = (days: number) => new Date(NOW - days * DAY_MS).toISOString();

const publish = (payload: unknown) =>
  h.inject({ method: 'POST', url: '/v1/scores', headers: auth, payload });
const scoreOf = async (id: string) =>
  (await h.inject({ url: `/v1/scores/${id}`, headers: auth })).json() as ScoreDetail;
const stored = async () => ({
  scores: (await h.db.db.select({ n: count() }).from(scoreDefinitions))[0]?.n,
  versions: (await h.db.db.select({ n: count() }).from(scoreVersions))[0]?.n,
});

async function send(
  items: {
    id: string;
    customerId: string;
    type: string;
    occurredAt: string;
    properties?: object;
  }[],
) {
  const res = await h.inject({
    method: 'POST',
    url: '/v1/events/batch',
    headers: auth,
    payload: { items },
  });
  expect(res.statusCode).toBeLessThan(300);
  for (const item of items) await awaitRouted(h, item.id);
}

const intent = {
  id: 'intent',
  name: 'Purchase intent',
  description: 'Forms and downloads, a long form counting double',
  kind: 'decaying',
  weights: { form_submit: 4, download: 6 },
  multipliers: [
    { event: 'form_submit', where: [{ property: 'pages', op: 'gte', value: 5 }], factor: 2 },
  ],
  decayPerDay: 0.9,
  cap: 1000,
};

/** The formula at `t`: Σ points × 0.9^(age in days). */
const byHand = (t: number, counted: [points: number, at: string][]) =>
  counted.reduce((sum, [points, at]) => sum + points * 0.9 ** ((t - Date.parse(at)) / DAY_MS), 0);

async function intentOf(customerId: string, contributions: number) {
  return eventually(
    async () => {
      const body = (
        await h.inject({ url: `/v1/customers/${customerId}`, headers: auth })
      ).json() as Customer;
      const score = body.scores?.find((s) => s.id === 'intent');
      return score && score.contributions.length === contributions ? score : null;
    },
    { timeoutMs: 20_000, intervalMs: 100, describe: `${customerId}'s intent score` },
  );
}

describe('scores API', () => {
  it('lists the built-ins with their active version', async () => {
    const res = await h.inject({ url: '/v1/scores', headers: auth });
    expect(res.statusCode).toBe(200);
    const { scores } = res.json() as ScoreList;
    expect(scores.map((s) => [s.id, s.kind, s.activeVersion, s.backfilled])).toEqual([
      ['data_quality', 'profile_quality', 1, true],
      ['engagement', 'decaying', 1, true],
      ['rfm', 'rfm', 1, true],
    ]);
  });

  it('refuses a bad definition with a 400 naming the field, and stores nothing', async () => {
    const before = await stored();
    const cases: [payload: object, path: string][] = [
      [{ ...intent, weights: {} }, 'weights'],
      [
        { ...intent, multipliers: [{ ...intent.multipliers[0], event: 'page_view' }] },
        'multipliers.0.event',
      ],
      [{ ...intent, decayPerDay: 1.5 }, 'decayPerDay'],
      [{ ...intent, weights: { product_viewed: 2 } }, 'weights.product_viewed'],
      [{ ...intent, version: 3 }, 'version'],
      [{ ...intent, id: 'Not An Id' }, 'id'],
      [{ ...intent, kind: 'popularity' }, 'kind'],
      [
        {
          id: 'rfm',
          name: 'RFM',
          description: '',
          kind: 'decaying',
          weights: { purchase: 1 },
          multipliers: [],
          decayPerDay: 1,
          cap: 5,
        },
        'kind',
      ],
    ];
    for (const [payload, path] of cases) {
      const res = await publish(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.issues).toEqual(
        expect.arrayContaining([expect.objectContaining({ path })]),
      );
    }
    // An alias names the canonical type to use.
    const alias = await publish({ ...intent, weights: { product_viewed: 2 } });
    expect(alias.json().error.issues).toContainEqual({
      path: 'weights.product_viewed',
      message: expect.stringContaining('is an alias of "product_view"'),
    });
    expect(await stored()).toEqual(before);
  });

  it('backfills a published decaying score from history and counts new events live', async () => {
    await send([
      {
        id: 'ada-long-form',
        customerId: 'ada',
        type: 'form_submit',
        occurredAt: ago(3),
        properties: { pages: 7 },
      },
      {
        id: 'ada-short-form',
        customerId: 'ada',
        type: 'form_submit',
        occurredAt: ago(1),
        properties: { pages: 1 },
      },
      { id: 'bo-download', customerId: 'bo', type: 'download', occurredAt: ago(2) },
      { id: 'cy-view', customerId: 'cy', type: 'page_view', occurredAt: ago(1) },
    ]);
    const res = await publish(intent);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: 'intent', version: 1, kind: 'decaying', active: false });
    await eventually(async () => (await scoreOf('intent')).activeVersion === 1, {
      timeoutMs: 20_000,
      describe: 'the router to backfill intent',
    });
    const detail = await scoreOf('intent');
    expect(detail).toMatchObject({ kind: 'decaying', latestVersion: 1, backfilled: true });
    expect(detail.versions).toEqual([
      { version: 1, definition: { ...intent, version: 1 }, createdAt: expect.any(String) },
    ]);

    const asked = Date.now();
    const ada = await intentOf('ada', 2);
    const answered = Date.now();
    const adaHistory: [number, string][] = [
      [8, ago(3)],
      [4, ago(1)],
    ];
    // It only falls with time: between the formula when asked and when answered.
    expect(ada.value).toBeLessThanOrEqual(byHand(asked, adaHistory));
    expect(ada.value).toBeGreaterThanOrEqual(byHand(answered, adaHistory));
    expect(ada.contributions.map((c) => ['eventId' in c && c.eventId, c.points])).toEqual([
      ['ada-short-form', 4],
      ['ada-long-form', 8],
    ]);

    // A new event is counted live by the router, on top of the backfilled history.
    await send([{ id: 'ada-download', customerId: 'ada', type: 'download', occurredAt: ago(0.5) }]);
    const asked2 = Date.now();
    const again = await intentOf('ada', 3);
    const live: [number, string][] = [...adaHistory, [6, ago(0.5)]];
    expect(again.value).toBeLessThanOrEqual(byHand(asked2, live));
    expect(again.value).toBeGreaterThanOrEqual(byHand(Date.now(), live));
    // The snapshot journeys load (scores.intent in conditions) reads the same.
    const snapshot = await loadProfileSnapshot(h.db.db, 'ada', await loadScoreCatalogue(h.db.db));
    const read = (snapshot?.scores as Record<string, number> | undefined)?.intent;
    expect(read).toBeLessThanOrEqual(byHand(asked2, live));
    expect(read).toBeGreaterThan(byHand(asked2, live) - 0.01);
    expect((await intentOf('bo', 1)).contributions).toMatchObject([
      { eventId: 'bo-download', points: 6 },
    ]);
  });

  it('gives a segment on the score the backfilled customers, and a new version moves it', async () => {
    const refused = await h.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: auth,
      payload: {
        id: 'nobody_scored',
        name: 'x',
        where: { not: { score: { score: 'made_up', op: 'gt', value: 1 } } },
      },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.issues).toEqual([
      expect.objectContaining({ path: 'where.not.score.score' }),
    ]);

    const segment = await h.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: auth,
      payload: {
        id: 'intent_high',
        name: 'High intent',
        where: { score: { score: 'intent', op: 'gte', value: 8 } },
      },
    });
    expect(segment.statusCode).toBe(201);
    const membersOf = async () =>
      (
        (await h.inject({ url: '/v1/segments/intent_high/members', headers: auth })).json()
          .members as { customerId: string }[]
      ).map((m) => m.customerId);
    // ada ≈ 8 × 0.9³ + 4 × 0.9 + 6 × 0.9^½ ≈ 15; bo 6 × 0.9² ≈ 4.9.
    await eventually(async () => (await membersOf()).join() === 'ada', {
      timeoutMs: 20_000,
      describe: 'ada in intent_high',
    });

    // Version 2 weighs downloads 5×: bo's backfilled history puts him over 8, and the segment
    // reading the score is computed again once the version is active.
    const second = await publish({ ...intent, weights: { form_submit: 4, download: 30 } });
    expect(second.json()).toEqual({ id: 'intent', version: 2, kind: 'decaying', active: false });
    await eventually(async () => (await membersOf()).join() === 'ada,bo', {
      timeoutMs: 20_000,
      describe: 'bo in intent_high after version 2',
    });
    expect(await scoreOf('intent')).toMatchObject({
      activeVersion: 2,
      latestVersion: 2,
      versions: [{ version: 1 }, { version: 2 }],
    });
  });

  it('shows a published profile_quality score on the profile at once', async () => {
    const res = await publish({
      id: 'contactable',
      name: 'Contactable',
      description: 'Email and a first name',
      kind: 'profile_quality',
      requiredFields: ['first_name', 'hasEmail'],
    });
    expect(res.json()).toEqual({
      id: 'contactable',
      version: 1,
      kind: 'profile_quality',
      active: true,
    });
    const body = (await h.inject({ url: '/v1/customers/cy', headers: auth })).json() as Customer;
    expect(body.scores?.find((s) => s.id === 'contactable')).toMatchObject({
      kind: 'profile_quality',
      version: 1,
    });
  });

  it('answers 404 for a score that does not exist', async () => {
    const res = await h.inject({ url: '/v1/scores/nothing_here', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.issues).toEqual([expect.objectContaining({ path: 'id' })]);
  });
});
