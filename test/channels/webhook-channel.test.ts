import { ChannelError, type WebhookChannel } from '../../src/channels/channel';
import {
  createWebhookChannel,
  parseWebhookEndpoints,
  type WebhookChannelOptions,
} from '../../src/channels/webhook-channel';
import { verifyWebhookSignature } from '../../src/channels/webhook-signature';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer';

const secret = 'whsec-test-0123456789abcdef';
const message = {
  deliveryId: '3f1c2a9e-0000-4000-8000-000000000001',
  endpoint: 'crm',
  payload: { event: 'cart_abandoned', cart: { id: 'c-9', total: 39.5 } },
};

async function sendError(channel: WebhookChannel, outbound = message): Promise<ChannelError> {
  try {
    await channel.send(outbound);
  } catch (error) {
    if (error instanceof ChannelError) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

describe('webhook channel', () => {
  let peer: WebhookPeer;
  let channel: WebhookChannel;
  const open = (overrides: Partial<WebhookChannelOptions> = {}) =>
    createWebhookChannel({ endpoints: { crm: `${peer.url}/hooks/cairn` }, secret, ...overrides });

  beforeEach(async () => {
    peer = await startWebhookPeer();
    channel = open();
  });

  afterEach(async () => {
    await channel.close();
    await peer.stop();
  });

  it('POSTs the payload as signed JSON that the receiver verifies with the exported verify()', async () => {
    const receipt = await channel.send(message);
    expect(receipt).toEqual({ providerMessageId: message.deliveryId, providerCode: 'http_200' });
    const [request] = await peer.waitForRequests(1);
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hooks/cairn');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('Cairn');
    expect(request?.headers['cairn-delivery-id']).toBe(message.deliveryId);
    expect(JSON.parse(request?.rawBody ?? '')).toEqual({
      id: message.deliveryId,
      ...message.payload,
    });
    const header = request?.headers['cairn-signature'] as string;
    expect(verifyWebhookSignature(secret, header, request?.rawBody ?? '')).toMatchObject({
      valid: true,
    });
    expect(
      verifyWebhookSignature('not-the-secret-0123', header, request?.rawBody ?? '').valid,
    ).toBe(false);
  });

  it('signs with the channel clock, so a stale delivery fails verification', async () => {
    const signedAt = new Date('2026-01-01T00:00:00Z');
    await channel.close();
    channel = open({ now: () => signedAt });
    await channel.send(message);
    const [request] = await peer.waitForRequests(1);
    const header = request?.headers['cairn-signature'] as string;
    expect(header).toMatch(/^t=1767225600,v1=[0-9a-f]{64}$/);
    const body = request?.rawBody ?? '';
    expect(verifyWebhookSignature(secret, header, body, signedAt).valid).toBe(true);
    const later = new Date(signedAt.getTime() + 301_000);
    expect(verifyWebhookSignature(secret, header, body, later)).toEqual({
      valid: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it("keeps the delivery id as the body's id even if the payload has one", async () => {
    await channel.send({ ...message, payload: { id: 'spoofed', kind: 'x' } });
    const [request] = await peer.waitForRequests(1);
    expect(JSON.parse(request?.rawBody ?? '')).toEqual({ id: message.deliveryId, kind: 'x' });
  });

  it("records the receiver's own id when it answers with Cairn-Receipt-Id", async () => {
    peer.respondWith({ status: 202, headers: { 'Cairn-Receipt-Id': 'crm-771' } });
    await expect(channel.send(message)).resolves.toEqual({
      providerMessageId: 'crm-771',
      providerCode: 'http_202',
    });
  });

  it('classifies 500 as transient; a retry with the same delivery id then succeeds', async () => {
    peer.respondWith({ status: 500, body: 'oops' });
    await expect(sendError(channel)).resolves.toMatchObject({
      kind: 'transient',
      code: 'http_500',
    });
    await expect(channel.send(message)).resolves.toMatchObject({ providerCode: 'http_200' });
    const requests = await peer.waitForRequests(2);
    expect(requests.map((r) => r.headers['cairn-delivery-id'])).toEqual([
      message.deliveryId,
      message.deliveryId,
    ]);
  });

  it('classifies 429 and 503 as transient, 400 and 404 as permanent', async () => {
    peer.respondWith({ status: 429 }, { status: 503 }, { status: 400 }, { status: 404 });
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await sendError(channel));
    expect(results.map(({ kind, code }) => ({ kind, code }))).toEqual([
      { kind: 'transient', code: 'http_429' },
      { kind: 'transient', code: 'http_503' },
      { kind: 'permanent', code: 'http_400' },
      { kind: 'permanent', code: 'http_404' },
    ]);
  });

  it('does not quote the response body in the error', async () => {
    peer.respondWith({ status: 400, body: 'unknown customer ada@example.com' });
    const error = await sendError(channel);
    expect(error.message).not.toContain('ada@example.com');
  });

  it('refuses to follow a redirect (permanent redirect_refused)', async () => {
    peer.respondWith({ status: 302, headers: { Location: `${peer.url}/elsewhere` } });
    await expect(sendError(channel)).resolves.toMatchObject({
      kind: 'permanent',
      code: 'redirect_refused',
    });
    expect(peer.requests.map((r) => r.path)).toEqual(['/hooks/cairn']);
  });

  it('classifies a response slower than the timeout as transient timeout', async () => {
    await channel.close();
    channel = open({ timeoutMs: 200 });
    peer.respondWith({ status: 200, delayMs: 2_000 });
    await expect(sendError(channel)).resolves.toMatchObject({ kind: 'transient', code: 'timeout' });
  });

  it('classifies a refused connection as transient ECONNREFUSED', async () => {
    const gone = await startWebhookPeer();
    await gone.stop();
    await channel.close();
    channel = createWebhookChannel({ endpoints: { crm: gone.url }, secret });
    await expect(sendError(channel)).resolves.toMatchObject({
      kind: 'transient',
      code: 'ECONNREFUSED',
    });
  });

  it('refuses an endpoint name that is not configured, without any request', async () => {
    const error = await sendError(channel, { ...message, endpoint: 'http://169.254.169.254/' });
    expect(error).toMatchObject({ kind: 'permanent', code: 'unknown_endpoint' });
    expect(peer.requests).toHaveLength(0);
  });
});

describe('webhook configuration', () => {
  const create =
    (endpoints: Record<string, string>, s = secret) =>
    () =>
      createWebhookChannel({ endpoints, secret: s });

  it('refuses a short secret, bad URLs and credentials in URLs without echoing them', () => {
    expect(create({}, 'short')).toThrow(/WEBHOOK_SIGNING_SECRET must be at least 16/);
    expect(create({ crm: 'not a url' })).toThrow('WEBHOOK_ENDPOINTS.crm is not a valid URL');
    expect(create({ crm: 'file:///etc/passwd' })).toThrow(/must use https: or http:, not file:/);
    expect(create({ crm: 'https://user:hunter2@crm.test/' })).toThrow(
      /^WEBHOOK_ENDPOINTS.crm must not carry credentials in the URL$/,
    );
    expect(create({ 'bad name': 'https://crm.test/' })).toThrow(/endpoint name "bad name"/);
  });

  it('parses WEBHOOK_ENDPOINTS from JSON, naming the offending key', () => {
    expect(
      parseWebhookEndpoints('{"crm":"https://crm.test/hook","ops":"http://ops:8080/x"}'),
    ).toEqual({
      crm: 'https://crm.test/hook',
      ops: 'http://ops:8080/x',
    });
    expect(() => parseWebhookEndpoints('[')).toThrow(/must be a JSON object/);
    expect(() => parseWebhookEndpoints('["x"]')).toThrow(/must be a JSON object/);
    expect(() => parseWebhookEndpoints('{"crm":42}')).toThrow(
      'WEBHOOK_ENDPOINTS.crm must be a URL string',
    );
    expect(() => parseWebhookEndpoints('{"__proto__":"https://x.test"}')).toThrow(/endpoint name/);
  });
});
