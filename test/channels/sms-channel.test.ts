import { ChannelError, type SmsChannel } from '../../src/channels/channel';
import { createSmsChannel, type SmsChannelOptions } from '../../src/channels/sms-channel';
import { classifyTwilioError } from '../../src/channels/twilio-errors';
import { startTwilioPeer, type TwilioPeer } from '../support/twilio-peer';

const TO = '+4915112345678';
const FROM = '+15005550006';
const SERVICE = `MG${'a1'.repeat(16)}`;
const message = {
  deliveryId: '3f1c2a9e-0000-4000-8000-000000000001',
  to: TO,
  text: 'Your cart is waiting: 1 lamp, €39.50',
};

async function sendError(channel: SmsChannel, sms = message): Promise<ChannelError> {
  try {
    await channel.send(sms);
  } catch (error) {
    if (error instanceof ChannelError) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

describe('SMS channel through the twilio SDK', () => {
  let peer: TwilioPeer;
  const channels: SmsChannel[] = [];

  const open = (options: Partial<SmsChannelOptions> = {}) => {
    const channel = createSmsChannel({
      accountSid: peer.accountSid,
      authToken: peer.authToken,
      from: FROM,
      apiBaseUrl: peer.url,
      ...options,
    });
    channels.push(channel);
    return channel;
  };

  beforeEach(async () => {
    peer = await startTwilioPeer();
  });

  afterEach(async () => {
    await Promise.all(channels.splice(0).map((channel) => channel.close()));
    await peer.stop();
  });

  it('posts the Messages form with basic auth and returns the sid, status and segments', async () => {
    const channel = open({ statusCallbackUrl: 'https://cairn.example/v1/webhooks/twilio/status' });
    const receipt = await channel.send(message);
    const [received] = await peer.waitForMessages(1);
    expect(received?.contentType).toBe('application/x-www-form-urlencoded');
    expect(received?.form).toEqual({
      To: TO,
      From: FROM,
      Body: message.text,
      StatusCallback: `https://cairn.example/v1/webhooks/twilio/status?deliveryId=${message.deliveryId}`,
    });
    expect(receipt).toEqual({
      providerMessageId: received?.sid,
      providerCode: 'queued',
      detail: { segments: 1 },
    });
    expect(receipt.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('sends through a messaging service instead of a number', async () => {
    const channel = open({ from: undefined, messagingServiceSid: SERVICE });
    const receipt = await channel.send({ ...message, text: 'x'.repeat(200) });
    const [received] = await peer.waitForMessages(1);
    expect(received?.form).toEqual({ To: TO, MessagingServiceSid: SERVICE, Body: 'x'.repeat(200) });
    expect(receipt).toMatchObject({ providerCode: 'accepted', detail: { segments: 2 } });
  });

  it('classifies a 500 as transient, and a retry by the caller sends exactly one message', async () => {
    const channel = open();
    peer.failNext(500, { code: 20500, message: 'Internal Server Error' });
    await expect(sendError(channel)).resolves.toMatchObject({
      kind: 'transient',
      code: 'twilio_http_500',
    });
    expect(peer.messages).toHaveLength(0);
    await channel.send(message);
    expect(peer.requests).toBe(2);
    expect(peer.messages).toHaveLength(1);
  });

  it('classifies 429 and 503 as transient', async () => {
    const channel = open();
    peer.failNext(429, { code: 20429, message: 'Too Many Requests' });
    peer.failNext(503, { message: 'Service Unavailable' });
    await expect(sendError(channel)).resolves.toMatchObject({
      kind: 'transient',
      code: 'twilio_http_429',
    });
    await expect(sendError(channel)).resolves.toMatchObject({
      kind: 'transient',
      code: 'twilio_http_503',
    });
  });

  it.each([
    [21211, "The 'To' number +4915112345678 is not a valid phone number."],
    [21610, 'Attempt to send to unsubscribed recipient +4915112345678'],
    [21614, "'To' number +4915112345678 is not a valid mobile number"],
    [21408, 'Permission to send an SMS has not been enabled for the region'],
  ])(
    'classifies a 400 with Twilio code %i as permanent, without quoting Twilio',
    async (code, text) => {
      const channel = open();
      peer.failNext(400, { code, message: text });
      const error = await sendError(channel);
      expect(error).toMatchObject({ channel: 'sms', kind: 'permanent', code: `twilio_${code}` });
      expect(error.message).not.toContain(TO);
      expect(JSON.stringify(error)).not.toContain(TO);
    },
  );

  it('refuses a number that is not E.164 without calling Twilio', async () => {
    const channel = open();
    const error = await sendError(channel, { ...message, to: '015112345678' });
    expect(error).toMatchObject({ kind: 'permanent', code: 'invalid_phone_number' });
    expect(error.message).not.toContain('015112345678');
    expect(peer.requests).toBe(0);
  });

  it('classifies wrong credentials as permanent twilio_20003 (no retry fixes configuration)', async () => {
    const channel = open({ authToken: 'not-the-token' });
    await expect(sendError(channel)).resolves.toMatchObject({
      kind: 'permanent',
      code: 'twilio_20003',
    });
    expect(peer.messages).toHaveLength(0);
  });

  it('classifies a timeout and a refused connection as transient', async () => {
    const slow = open({ timeoutMs: 200 });
    peer.stallNext();
    await expect(sendError(slow)).resolves.toMatchObject({
      kind: 'transient',
      code: 'ETIMEDOUT',
    });
    await peer.stop();
    const down = open({ apiBaseUrl: peer.url });
    await expect(sendError(down)).resolves.toMatchObject({
      kind: 'transient',
      code: 'ECONNREFUSED',
    });
    peer = await startTwilioPeer();
  });

  it('refuses an ambiguous or missing sender at creation', () => {
    const base = { accountSid: `AC${'0'.repeat(32)}`, authToken: 't' };
    expect(() => createSmsChannel({ ...base, from: FROM, messagingServiceSid: SERVICE })).toThrow(
      'not both',
    );
    expect(() => createSmsChannel(base)).toThrow('set a from number');
    expect(() => createSmsChannel({ ...base, from: '5005550006' })).toThrow('E.164');
    expect(() => createSmsChannel({ ...base, messagingServiceSid: 'MG1' })).toThrow('MG');
  });
});

describe('classifyTwilioError', () => {
  it.each([
    [{ status: 404, code: 20404 }, 'permanent', 'twilio_20404'],
    [{ status: 400 }, 'permanent', 'twilio_http_400'],
    [{ status: 502, code: 20500 }, 'transient', 'twilio_http_502'],
    [{ code: 'ECONNRESET', message: 'socket hang up' }, 'transient', 'ECONNRESET'],
    [{ code: 'ECONNABORTED', message: 'timeout of 200ms exceeded' }, 'transient', 'ETIMEDOUT'],
    [{ code: 'not a code +4915112345678' }, 'transient', 'unknown_error'],
    [new Error('boom'), 'transient', 'unknown_error'],
  ])('%j is %s %s', (error, kind, code) => {
    expect(classifyTwilioError(error)).toMatchObject({ channel: 'sms', kind, code });
  });
});
