import { auth, createHarness, type Harness } from './harness';

/**
 * POST /v1/scores/:id/recompute before it reaches Temporal, and with Temporal away: the id is
 * checked first (400 malformed, 404 for a score no schedule recomputes), and an unreachable
 * Temporal answers 503, never a 5xx of Cairn's own. The schedule itself is exercised on the dev
 * server in test/integration/rfm-schedule.test.ts.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
});
afterAll(async () => h.close());

const recompute = (id: string) =>
  h.inject({ method: 'POST', url: `/v1/scores/${id}/recompute`, headers: auth });

it('refuses a malformed id naming the field, and a score that is not recomputed', async () => {
  const malformed = await recompute('Not-A-Score');
  expect(malformed.statusCode).toBe(400);
  expect(malformed.json()).toMatchObject({
    error: { code: 'validation_failed', issues: [{ path: 'id' }] },
  });
  for (const id of ['engagement', 'data_quality', 'nothing_here']) {
    const res = await recompute(id);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'score_not_found' } });
  }
});

it('answers 503 when Temporal does not answer', async () => {
  const res = await recompute('rfm');
  expect(res.statusCode).toBe(503);
  expect(res.json()).toMatchObject({ error: { code: 'temporal_unavailable' } });
});

it('needs an API key', async () => {
  const res = await h.inject({ method: 'POST', url: '/v1/scores/rfm/recompute' });
  expect(res.statusCode).toBe(401);
});
