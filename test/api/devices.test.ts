/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any; the assertions check the shape. */
import { eq } from 'drizzle-orm';
import { listTokens, removeTokens } from '../../src/channels/device-tokens';
import { deviceTokens } from '../../src/db/schema';
import { auth, createHarness, type Harness } from './harness';

const TOKEN_1 = 'fcm-token-aaaaaaaaaaaa:APA91b111111';
const TOKEN_2 = 'fcm-token-bbbbbbbbbbbb:APA91b222222';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  for (const id of ['ada', 'bob']) {
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

const register = (customer: string, token: string, payload: unknown) =>
  h.inject({
    method: 'PUT',
    url: `/v1/customers/${customer}/devices/${token}`,
    headers: auth,
    payload,
  });

const ownerOf = async (token: string) =>
  (await h.db.db.select().from(deviceTokens).where(eq(deviceTokens.token, token)))[0]?.customerId;

describe('devices API', () => {
  it('registers a token (201), refreshes it (200) and lists it masked', async () => {
    const first = await register('ada', TOKEN_1, { platform: 'ios' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      created: true,
      device: {
        maskedToken: '…111111',
        platform: 'ios',
        createdAt: expect.any(String),
        lastSeenAt: expect.any(String),
      },
    });
    const again = await register('ada', TOKEN_1, { platform: 'ios' });
    expect(again.statusCode).toBe(200);
    expect(again.json().created).toBe(false);
    expect(Date.parse(again.json().device.lastSeenAt)).toBeGreaterThanOrEqual(
      Date.parse(first.json().device.lastSeenAt),
    );
    expect((await register('ada', TOKEN_2, { platform: 'android' })).statusCode).toBe(201);

    const list = await h.inject({ url: '/v1/customers/ada/devices', headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.json().devices).toEqual([
      expect.objectContaining({ maskedToken: '…111111', platform: 'ios' }),
      expect.objectContaining({ maskedToken: '…222222', platform: 'android' }),
    ]);
    expect(list.body).not.toContain(TOKEN_1);
    expect(list.body).not.toContain('aaaaaaaa');
  });

  it('moves a token to the customer who registered it last', async () => {
    await register('ada', 'shared-device-token-000001', { platform: 'web' });
    const moved = await register('bob', 'shared-device-token-000001', { platform: 'web' });
    expect(moved.statusCode).toBe(200);
    expect(await ownerOf('shared-device-token-000001')).toBe('bob');
    const adas = await listTokens(h.db.db, 'ada');
    expect(adas.map((row) => row.token)).not.toContain('shared-device-token-000001');
  });

  it('unregisters a token (204), then answers 404 naming the token', async () => {
    await register('bob', 'bob-phone-token-123456', { platform: 'android' });
    const url = '/v1/customers/bob/devices/bob-phone-token-123456';
    const removed = await h.inject({ method: 'DELETE', url, headers: auth });
    expect(removed.statusCode).toBe(204);
    expect(removed.body).toBe('');
    expect(await ownerOf('bob-phone-token-123456')).toBeUndefined();

    const again = await h.inject({ method: 'DELETE', url, headers: auth });
    expect(again.statusCode).toBe(404);
    expect(again.json().error).toMatchObject({
      code: 'device_not_found',
      issues: [{ path: 'token', message: expect.any(String) }],
    });
  });

  it("does not unregister another customer's token", async () => {
    await register('ada', 'ada-tablet-token-654321', { platform: 'ios' });
    const res = await h.inject({
      method: 'DELETE',
      url: '/v1/customers/bob/devices/ada-tablet-token-654321',
      headers: auth,
    });
    expect(res.statusCode).toBe(404);
    expect(await ownerOf('ada-tablet-token-654321')).toBe('ada');
  });

  it('answers 404 for an unknown customer and stores nothing', async () => {
    for (const request of [
      {
        method: 'PUT',
        url: '/v1/customers/nobody/devices/some-token-123456',
        payload: { platform: 'ios' },
      },
      { method: 'GET', url: '/v1/customers/nobody/devices' },
      { method: 'DELETE', url: '/v1/customers/nobody/devices/some-token-123456' },
    ]) {
      const res = await h.inject({ ...request, headers: auth });
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toMatchObject({
        code: 'customer_not_found',
        issues: [{ path: 'id', message: expect.any(String) }],
      });
    }
    expect(await ownerOf('some-token-123456')).toBeUndefined();
  });

  it('rejects a bad platform, an unknown field and a malformed token, naming each', async () => {
    const badPlatform = await register('ada', 'valid-token-000000', { platform: 'blackberry' });
    expect(badPlatform.statusCode).toBe(400);
    expect(badPlatform.json().error).toMatchObject({
      code: 'validation_failed',
      issues: [{ path: 'platform', message: 'must be one of "ios", "android" or "web"' }],
    });
    expect(badPlatform.body).not.toContain('blackberry');

    const extra = await register('ada', 'valid-token-000000', { platform: 'ios', os: '17' });
    expect(extra.json().error.issues).toEqual([{ path: 'os', message: 'is not a known field' }]);

    const badToken = await register('ada', 'short', { platform: 'ios' });
    expect(badToken.statusCode).toBe(400);
    expect(badToken.json().error.issues).toEqual([
      { path: 'token', message: expect.stringContaining('FCM registration token') },
    ]);
    expect(await ownerOf('valid-token-000000')).toBeUndefined();
  });

  it('requires the API key', async () => {
    const res = await h.inject({ url: '/v1/customers/ada/devices' });
    expect(res.statusCode).toBe(401);
  });

  it('documents the device routes in OpenAPI', async () => {
    const spec = (await h.inject({ url: '/openapi.json' })).json();
    const path = spec.paths['/v1/customers/{id}/devices/{token}'];
    expect(path.put.tags).toEqual(['devices']);
    expect(path.delete.summary).toBeTruthy();
    expect(spec.paths['/v1/customers/{id}/devices'].get.summary).toBeTruthy();
  });
});

describe('removeTokens', () => {
  it('deletes exactly the given tokens, whoever owns them', async () => {
    await register('ada', 'stale-token-aaaaaa', { platform: 'ios' });
    await register('bob', 'stale-token-bbbbbb', { platform: 'android' });
    await register('bob', 'fresh-token-cccccc', { platform: 'android' });

    expect(await removeTokens(h.db.db, ['stale-token-aaaaaa', 'stale-token-bbbbbb', 'gone'])).toBe(
      2,
    );
    expect(await removeTokens(h.db.db, [])).toBe(0);
    expect(await ownerOf('stale-token-aaaaaa')).toBeUndefined();
    expect(await ownerOf('stale-token-bbbbbb')).toBeUndefined();
    expect(await ownerOf('fresh-token-cccccc')).toBe('bob');
  });
});
