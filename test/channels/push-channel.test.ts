import { ChannelError, type OutboundPush, type PushChannel } from '../../src/channels/channel';
import { isPushSendError, type PushSendError } from '../../src/channels/fcm-errors';
import { createPushChannel } from '../../src/channels/push-channel';
import { peerCredential, startFcmPeer, type FcmPeer } from '../support/fcm-peer';

const PROJECT = 'cairn-test';
const TOKEN_A = 'token-a-0123456789abcdef';
const TOKEN_B = 'token-b-fedcba9876543210';

const push: OutboundPush = {
  deliveryId: '3f1c2a9e-0000-4000-8000-000000000042',
  tokens: [TOKEN_A, TOKEN_B],
  title: 'Your cart misses you',
  body: 'The lamp is still there.',
  deepLink: 'https://shop.test/cart/c-9',
  data: { cart_id: 'c-9' },
  priority: 'high',
};

async function sendError(channel: PushChannel, message: OutboundPush): Promise<PushSendError> {
  try {
    await channel.send(message);
  } catch (error) {
    if (isPushSendError(error)) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

describe('push channel through firebase-admin against an FCM peer', () => {
  let peer: FcmPeer;
  let channel: PushChannel;

  beforeEach(async () => {
    peer = await startFcmPeer();
    channel = createPushChannel({
      projectId: PROJECT,
      credential: peerCredential,
      httpAgent: peer.agent,
    });
  });

  afterEach(async () => {
    await channel.close();
    await peer.stop();
    // The SDK reached only the send endpoint: no OAuth token fetch, no metadata server.
    expect(peer.strayRequests).toEqual([]);
  });

  it('sends one FCM message per token with title, body, data, deep link and priority', async () => {
    const receipt = await channel.send(push);

    expect(receipt.delivered).toEqual([TOKEN_A, TOKEN_B]);
    expect(receipt.invalidTokens).toEqual([]);
    expect(receipt.failed).toEqual([]);
    const names = peer.accepted.map((m) => m.name);
    expect(names.sort()).toEqual([1, 2].map((n) => `projects/${PROJECT}/messages/0:${n}`));
    // The SDK sends in parallel: ids follow the tokens' order, whichever arrived first.
    const idOf = (token: string) => peer.accepted.find((m) => m.message.token === token)?.name;
    expect(receipt.providerMessageId).toBe(idOf(TOKEN_A));
    expect(receipt.providerCode).toBe('accepted');
    expect(receipt.detail).toEqual({
      delivered: 2,
      invalid: 0,
      failed: [],
      messageIds: [idOf(TOKEN_A), idOf(TOKEN_B)],
    });

    expect(peer.accepted.map((m) => m.project)).toEqual([PROJECT, PROJECT]);
    expect(peer.accepted.map((m) => m.message.token).sort()).toEqual([TOKEN_A, TOKEN_B]);
    const wire = peer.accepted[0]?.message;
    expect(wire?.notification).toEqual({ title: push.title, body: push.body });
    expect(wire?.data).toEqual({
      cart_id: 'c-9',
      deep_link: 'https://shop.test/cart/c-9',
      delivery_id: push.deliveryId,
    });
    expect(wire?.android).toEqual({
      priority: 'high',
      notification: { tag: push.deliveryId },
    });
    expect(wire?.apns?.headers).toEqual({
      'apns-priority': '10',
      'apns-collapse-id': push.deliveryId,
    });
    expect(wire?.webpush).toEqual({
      headers: { Urgency: 'high' },
      fcmOptions: { link: 'https://shop.test/cart/c-9' },
    });
  });

  it('maps normal priority to apns-priority 5 and keeps an app-scheme deep link in data only', async () => {
    await channel.send({
      ...push,
      tokens: [TOKEN_A],
      priority: 'normal',
      deepLink: 'shop://cart/c-9',
      data: undefined,
    });
    const wire = peer.accepted[0]?.message;
    expect(wire?.android?.priority).toBe('normal');
    expect(wire?.apns?.headers?.['apns-priority']).toBe('5');
    expect(wire?.webpush).toEqual({ headers: { Urgency: 'normal' } });
    expect(wire?.data).toEqual({ deep_link: 'shop://cart/c-9', delivery_id: push.deliveryId });
  });

  it('reports an unregistered token as invalid and delivers to the other', async () => {
    peer.unregister(TOKEN_A);
    const receipt = await channel.send(push);
    expect(receipt.delivered).toEqual([TOKEN_B]);
    expect(receipt.invalidTokens).toEqual([TOKEN_A]);
    expect(receipt.failed).toEqual([]);
    expect(receipt.providerCode).toBe('partial');
    expect(receipt.detail).toMatchObject({ delivered: 1, invalid: 1, failed: [] });
    expect(peer.accepted.map((m) => m.message.token)).toEqual([TOKEN_B]);
  });

  it('treats a token FCM calls malformed as invalid too', async () => {
    peer.rejectAsMalformed(TOKEN_B);
    const receipt = await channel.send(push);
    expect(receipt.delivered).toEqual([TOKEN_A]);
    expect(receipt.invalidTokens).toEqual([TOKEN_B]);
  });

  it('fails permanently with no_valid_tokens when every token is invalid', async () => {
    peer.unregister(TOKEN_A);
    peer.rejectAsMalformed(TOKEN_B);
    const error = await sendError(channel, push);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ channel: 'push', kind: 'permanent', code: 'no_valid_tokens' });
    expect(error.invalidTokens.sort()).toEqual([TOKEN_A, TOKEN_B]);
    expect(error.message).not.toContain(TOKEN_A);
    expect(peer.accepted).toHaveLength(0);
  });

  it('fails transiently on 503 without delivering, and a later send succeeds', async () => {
    // A long Retry-After makes firebase-admin give up at once instead of retrying inside send.
    peer.failNext(2, 503, { retryAfterSeconds: 3600 });
    const error = await sendError(channel, push);
    expect(error).toMatchObject({ kind: 'transient', code: 'fcm_server_unavailable' });
    expect(error.invalidTokens).toEqual([]);
    expect(error.failed.map((f) => f.code)).toEqual([
      'fcm_server_unavailable',
      'fcm_server_unavailable',
    ]);
    expect(peer.accepted).toHaveLength(0);

    const receipt = await channel.send(push);
    expect(receipt.delivered).toEqual([TOKEN_A, TOKEN_B]);
    expect(peer.accepted).toHaveLength(2);
  });

  it('fails transiently on 500 (not retried by the SDK)', async () => {
    peer.failNext(1, 500);
    const error = await sendError(channel, { ...push, tokens: [TOKEN_A] });
    expect(error).toMatchObject({ kind: 'transient', code: 'fcm_internal_error' });
    expect(peer.sendAttempts).toBe(1);
  });

  it('lets firebase-admin retry a 503 without Retry-After: one message reaches FCM', async () => {
    peer.failNext(1, 503);
    const receipt = await channel.send({ ...push, tokens: [TOKEN_A] });
    expect(receipt.delivered).toEqual([TOKEN_A]);
    expect(peer.sendAttempts).toBe(2);
    expect(peer.accepted).toHaveLength(1);
  });

  it('is transient when the invalid tokens are mixed only with transient failures', async () => {
    peer.unregister(TOKEN_A);
    peer.failNext(1, 500);
    const error = await sendError(channel, { ...push, tokens: [TOKEN_B, TOKEN_A] });
    expect(error).toMatchObject({ kind: 'transient', code: 'fcm_internal_error' });
    expect(error.invalidTokens).toEqual([TOKEN_A]);
  });

  it('sends to more tokens than one sendEach call takes (500), deduplicating repeats', async () => {
    const tokens = Array.from(
      { length: 501 },
      (_, n) => `bulk-token-${String(n).padStart(4, '0')}`,
    );
    const receipt = await channel.send({ ...push, tokens: [...tokens, tokens[0] as string] });
    expect(receipt.delivered).toEqual(tokens);
    expect(peer.sendAttempts).toBe(501);
  });

  it('refuses reserved data keys and an empty token list before calling FCM', async () => {
    await expect(channel.send({ ...push, data: { 'google.x': '1' } })).rejects.toMatchObject({
      kind: 'permanent',
      code: 'fcm_reserved_data_key',
    });
    await expect(channel.send({ ...push, tokens: [] })).rejects.toMatchObject({
      kind: 'permanent',
      code: 'no_tokens',
    });
    expect(peer.sendAttempts).toBe(0);
  });
});

describe('push channel without a reachable FCM', () => {
  it('classifies a refused connection as transient', async () => {
    const peer = await startFcmPeer();
    const agent = peer.agent;
    await peer.stop();
    const channel = createPushChannel({
      projectId: PROJECT,
      credential: peerCredential,
      httpAgent: agent,
    });
    try {
      const error = await sendError(channel, { ...push, tokens: [TOKEN_A] });
      expect(error).toMatchObject({ kind: 'transient', code: 'fcm_network_error' });
    } finally {
      await channel.close();
    }
  });
});
