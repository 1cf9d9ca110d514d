/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON; the assertions check the shape. */
import { resolveCustomer, DEFAULT_MERGE_RULES } from '../../src/identity';
import { auth, createHarness, type Harness } from './harness';

/** The identity routes: manual merge, unmerge, a customer's identifiers and merges. */
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live' });
});
afterAll(async () => h?.close());

const put = (id: string, payload: object) =>
  h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload });

it('merges, shows and unmerges, and writes to a merged-away id land on the survivor', async () => {
  await put('api-a', { consent: { email: 'opted_out' }, attributes: { plan: 'free' } });
  await put('api-b', { email: 'b@example.com', attributes: { plan: 'pro' } });
  await resolveCustomer(
    h.db.db,
    { userId: 'api-b', email: 'b@example.com' },
    {
      rules: DEFAULT_MERGE_RULES,
      source: 'crm',
    },
  );
  const merged = await h.inject({
    method: 'POST',
    url: '/v1/customers/api-b/merge',
    headers: auth,
    payload: { from: 'api-a', reason: 'duplicate signup' },
  });
  expect(merged.statusCode).toBe(200);
  const { merge, cancelledRuns } = merged.json();
  expect(merge).toMatchObject({
    from: 'api-a',
    into: 'api-b',
    status: 'applied',
    reason: 'duplicate signup',
    causedBy: 'api',
    unmergedAt: null,
  });
  expect(cancelledRuns).toEqual([]);

  const survivor = (await h.inject({ url: '/v1/customers/api-a', headers: auth })).json();
  expect(survivor).toMatchObject({ id: 'api-b', consent: { email: 'opted_out' } });
  const written = await put('api-a', { locale: 'fr-FR' });
  expect(written.json().customer).toMatchObject({ id: 'api-b', locale: 'fr-FR' });

  const identities = (
    await h.inject({ url: '/v1/customers/api-b/identities', headers: auth })
  ).json();
  expect(identities).toMatchObject({ customerId: 'api-b', mergedInto: null });
  expect(identities.identifiers.map((i: { type: string }) => i.type).sort()).toEqual([
    'email',
    'userId',
  ]);
  expect(identities.merges).toHaveLength(1);
  const away = (await h.inject({ url: '/v1/customers/api-a/identities', headers: auth })).json();
  expect(away.mergedInto).toBe('api-b');

  const undone = await h.inject({
    method: 'POST',
    url: `/v1/merges/${merge.id}/unmerge`,
    headers: auth,
    payload: {},
  });
  expect(undone.statusCode).toBe(200);
  expect(undone.json()).toMatchObject({ status: 'unmerged', unmergedAt: expect.any(String) });
  expect((await h.inject({ url: '/v1/customers/api-a', headers: auth })).json()).toMatchObject({
    id: 'api-a',
    consent: { email: 'opted_out' },
    attributes: { plan: 'free' },
  });
  const again = await h.inject({
    method: 'POST',
    url: `/v1/merges/${merge.id}/unmerge`,
    headers: auth,
    payload: {},
  });
  expect(again.statusCode).toBe(409);
  expect(again.json().error).toMatchObject({ code: 'merge_not_applied' });
});

it('refuses merges it cannot make with a 4xx naming the field', async () => {
  await put('api-c', {});
  const cases: [string, object, number, string, string][] = [
    ['api-c', { from: 'api-c' }, 400, 'same_customer', 'from'],
    ['api-c', { from: 'nobody' }, 404, 'customer_not_found', 'from'],
    ['nobody', { from: 'api-c' }, 404, 'customer_not_found', 'id'],
    ['api-c', { from: 'bad id' }, 400, 'validation_failed', 'from'],
    ['api-c', { from: 'api-a', extra: 1 }, 400, 'validation_failed', ''],
  ];
  for (const [id, payload, status, code, path] of cases) {
    const res = await h.inject({
      method: 'POST',
      url: `/v1/customers/${encodeURIComponent(id)}/merge`,
      headers: auth,
      payload,
    });
    expect([res.statusCode, res.json().error.code]).toEqual([status, code]);
    if (path) expect(res.json().error.issues[0].path).toBe(path);
  }
  const notUuid = await h.inject({
    method: 'POST',
    url: '/v1/merges/not-a-merge/unmerge',
    headers: auth,
    payload: {},
  });
  expect(notUuid.statusCode).toBe(400);
  expect(notUuid.json().error.issues[0].path).toBe('mergeId');
  const unknown = await h.inject({
    method: 'POST',
    url: '/v1/merges/00000000-0000-4000-8000-000000000000/unmerge',
    headers: auth,
    payload: {},
  });
  expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'merge_not_found']);
  const missing = await h.inject({ url: '/v1/customers/nobody/identities', headers: auth });
  expect(missing.statusCode).toBe(404);
});
