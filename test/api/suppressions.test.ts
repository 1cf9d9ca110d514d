/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any. */
import { isSuppressed } from '../../src/guardrails/suppression';
import { auth, createHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
});
afterAll(async () => h.close());

const add = (payload: unknown) =>
  h.inject({ method: 'POST', url: '/v1/suppressions', headers: auth, payload });

describe('suppressions API', () => {
  it('adds a normalised entry (201), then answers 200 keeping the first entry', async () => {
    const first = await add({ channel: 'email', address: ' Ada@Example.com', reason: 'complaint' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      created: true,
      suppression: {
        id: expect.any(String),
        channel: 'email',
        address: 'ada@example.com',
        reason: 'complaint',
        source: 'api',
        createdAt: expect.any(String),
      },
    });
    const again = await add({ channel: 'email', address: 'ada@example.com', reason: 'manual' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ created: false, suppression: first.json().suppression });
    await expect(isSuppressed(h.db.db, 'email', 'ADA@example.com')).resolves.toEqual({
      suppressed: true,
      reason: 'complaint',
    });
  });

  it('answers 400 naming the field for an invalid address, without echoing it', async () => {
    const email = await add({ channel: 'email', address: 'ada-at-example', reason: 'manual' });
    expect(email.statusCode).toBe(400);
    expect(email.json().error.issues).toEqual([
      { path: 'address', message: 'must be an email address' },
    ]);
    expect(email.body).not.toContain('ada-at-example');
    const phone = await add({ channel: 'sms', address: '0151 1234', reason: 'manual' });
    expect(phone.statusCode).toBe(400);
    expect(phone.json().error.issues[0].path).toBe('address');
    expect(phone.body).not.toContain('0151');
    const reason = await add({ channel: 'sms', address: '+4915112345678', reason: 'bored' });
    expect(reason.statusCode).toBe(400);
    expect(reason.json().error.issues[0].path).toBe('reason');
  });

  it('lists per channel with paging', async () => {
    for (const n of ['+4915100000001', '+4915100000002', '+4915100000003']) {
      expect(
        (await add({ channel: 'sms', address: n, reason: 'hard_bounce', source: 'twilio' }))
          .statusCode,
      ).toBe(201);
    }
    const first = await h.inject({ url: '/v1/suppressions?channel=sms&limit=2', headers: auth });
    expect(first.statusCode).toBe(200);
    const page = first.json() as { suppressions: { address: string }[]; nextCursor: string };
    expect(page.suppressions.map((s) => s.address)).toEqual(['+4915100000003', '+4915100000002']);
    const cursor = page.nextCursor;
    const second = await h.inject({
      url: `/v1/suppressions?channel=sms&limit=2&cursor=${cursor}`,
      headers: auth,
    });
    expect(second.json()).toEqual({
      suppressions: [expect.objectContaining({ address: '+4915100000001', source: 'twilio' })],
      nextCursor: null,
    });
    const badCursor = await h.inject({
      url: '/v1/suppressions?cursor=00000000-0000-4000-8000-000000000000',
      headers: auth,
    });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().error.issues[0].path).toBe('cursor');
  });

  it('removes an entry by its URL-encoded address (204), then answers 404', async () => {
    const url = `/v1/suppressions/sms/${encodeURIComponent('+49 151 00000001')}`;
    expect((await h.inject({ method: 'DELETE', url, headers: auth })).statusCode).toBe(204);
    const again = await h.inject({ method: 'DELETE', url, headers: auth });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('suppression_not_found');
    await expect(isSuppressed(h.db.db, 'sms', '+4915100000001')).resolves.toEqual({
      suppressed: false,
    });
    const email = `/v1/suppressions/email/${encodeURIComponent('ADA@example.com')}`;
    expect((await h.inject({ method: 'DELETE', url: email, headers: auth })).statusCode).toBe(204);
  });

  it('is documented in the OpenAPI document', async () => {
    const spec = (await h.inject({ url: '/openapi.json' })).json();
    expect(spec.paths['/v1/suppressions'].post.tags).toEqual(['suppressions']);
    expect(spec.paths['/v1/topics/{id}'].put.tags).toEqual(['topics']);
    expect(spec.paths['/v1/customers/{id}/topics/{topicId}'].put.summary).toBeTruthy();
  });

  it('needs the API key', async () => {
    expect((await h.inject({ url: '/v1/suppressions' })).statusCode).toBe(401);
  });
});
