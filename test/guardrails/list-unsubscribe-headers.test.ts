import type { EmailChannel } from '../../src/channels/channel';
import { createEmailChannel } from '../../src/channels/email-channel';
import { unsubscribeLinks } from '../../src/guardrails/unsubscribe-links';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';

const message = {
  deliveryId: '3f1c2a9e-0000-4000-8000-0000000000aa',
  to: 'ada@example.com',
  subject: 'News',
  html: '<p>Hello</p>',
  text: 'Hello',
};

let peer: SmtpPeer;
let channel: EmailChannel;
beforeAll(async () => {
  peer = await startSmtpPeer();
  channel = createEmailChannel({ url: peer.url, from: 'Shop <news@shop.test>', pool: false });
});
afterAll(async () => {
  await channel.close();
  await peer.stop();
});

describe('List-Unsubscribe headers (RFC 8058)', () => {
  it('carries the one-click URL and List-Unsubscribe-Post', async () => {
    const { unsubscribe } = unsubscribeLinks(
      { secret: 'unsubscribe-secret-0123456789abcdef', publicBaseUrl: 'https://cairn.example.com' },
      {
        customerId: 'a-rather-long-customer-id-0123456789-0123456789',
        channel: 'email',
        topic: 'newsletter',
        deliveryId: message.deliveryId,
      },
    );
    await channel.send({ ...message, listUnsubscribe: { url: unsubscribe } });
    const [received] = await peer.waitForMessages(1);
    // Unfolded header values as they were written on the wire.
    const raw = (name: string) =>
      received?.headerLines
        .find((line) => line.key === name)
        ?.line.replace(/\r?\n[ \t]+/g, ' ')
        .replace(/^[^:]+:\s*/, '');
    expect(raw('list-unsubscribe')).toBe(`<${unsubscribe}>`);
    expect(raw('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  });

  it('sends no list headers without a listUnsubscribe', async () => {
    const before = peer.messages.length;
    await channel.send({ ...message, deliveryId: '3f1c2a9e-0000-4000-8000-0000000000bb' });
    const received = (await peer.waitForMessages(before + 1))[before];
    expect(received?.headers.has('list-unsubscribe')).toBe(false);
    expect(received?.headers.has('list-unsubscribe-post')).toBe(false);
  });
});
