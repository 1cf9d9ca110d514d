import { ChannelError, type EmailChannel } from '../../src/channels/channel';
import { createEmailChannel, parseSmtpUrl } from '../../src/channels/email-channel';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';

const message = {
  deliveryId: '3f1c2a9e-0000-4000-8000-000000000001',
  to: 'ada@example.com',
  subject: 'Your cart',
  html: '<p>Hello</p>',
  text: 'Hello',
};

async function sendError(channel: EmailChannel): Promise<ChannelError> {
  try {
    await channel.send(message);
  } catch (error) {
    if (error instanceof ChannelError) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

describe('email channel', () => {
  let peer: SmtpPeer;
  let channel: EmailChannel;
  let peerStopped = false;

  beforeEach(async () => {
    peerStopped = false;
    peer = await startSmtpPeer();
    channel = createEmailChannel({ url: peer.url, from: 'Cairn <journeys@shop.test>' });
  });

  afterEach(async () => {
    await channel.close();
    if (!peerStopped) await peer.stop();
  });

  it('delivers over SMTP with a Message-ID derived from the delivery id', async () => {
    const receipt = await channel.send(message);
    expect(receipt.providerMessageId).toBe(`<${message.deliveryId}@shop.test>`);
    const [received] = await peer.waitForMessages(1);
    expect(received?.messageId).toBe(`<${message.deliveryId}@shop.test>`);
    expect(received?.subject).toBe('Your cart');
    expect(received?.html).toContain('<p>Hello</p>');
    expect(received?.text?.trim()).toBe('Hello');
    expect(received?.envelope).toEqual({ from: 'journeys@shop.test', to: ['ada@example.com'] });
  });

  it('classifies a 5xx reply as permanent without quoting the reply', async () => {
    peer.rejectNext(550, 'Mailbox ada@example.com unavailable');
    const error = await sendError(channel);
    expect(error).toMatchObject({ kind: 'permanent', code: 'smtp_550' });
    expect(error.message).not.toContain('ada@example.com');
    expect(peer.messages).toHaveLength(0);
  });

  it('classifies a 4xx reply as transient', async () => {
    peer.rejectNext(451, 'Try again later');
    await expect(sendError(channel)).resolves.toMatchObject({
      kind: 'transient',
      code: 'smtp_451',
    });
    await channel.send(message);
    expect(peer.messages).toHaveLength(1);
  });

  it('classifies a refused connection as transient', async () => {
    const url = peer.url;
    await channel.close();
    await peer.stop();
    peerStopped = true;
    channel = createEmailChannel({
      url,
      from: 'journeys@shop.test',
      pool: false,
      timeouts: { connectMs: 2_000 },
    });
    await expect(sendError(channel)).resolves.toMatchObject({ kind: 'transient', code: 'ESOCKET' });
  });
});

describe('parseSmtpUrl', () => {
  it('accepts smtp and smtps URLs', () => {
    expect(parseSmtpUrl('smtps://user:secret@mail.test:465').hostname).toBe('mail.test');
    expect(parseSmtpUrl('smtp://127.0.0.1:2525').port).toBe('2525');
  });

  it('rejects other schemes without echoing credentials', () => {
    expect(() => parseSmtpUrl('https://user:secret@mail.test')).toThrow(/smtp: or smtps:/);
    expect(() => parseSmtpUrl('https://user:secret@mail.test')).not.toThrow(/secret/);
    expect(() => parseSmtpUrl('not a url secret')).not.toThrow(/secret/);
  });
});
