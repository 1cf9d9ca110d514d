import type { SendMessageRequest } from '../../src/activities';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, seedCustomer, sendRequest, testActivities } from './fixtures';

/** Bulk-sender rules and CAN-SPAM expect a visible way out, not only the List-Unsubscribe header. */
describe('marketing email through the send path', () => {
  let database: TestDatabase;
  let peer: SmtpPeer;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedCustomer(database.db, { id: 'c1', consent: { email: 'opted_in' } });
    peer = await startSmtpPeer();
  });

  afterAll(async () => {
    await peer.stop();
    await database.close();
  });

  const send = async (request: SendMessageRequest) => {
    const activities = testActivities({
      db: database.db,
      smtpUrl: peer.url,
      config: {
        unsubscribe: {
          secret: 'unsubscribe-secret-for-tests-0123456789',
          publicBaseUrl: 'https://cairn.example.com',
        },
      },
    });
    const before = peer.messages.length;
    await activityEnvironment().env.run(activities.sendMessage, request);
    return (await peer.waitForMessages(before + 1))[before];
  };

  it('carries a visible unsubscribe link the template did not place', async () => {
    const received = await send(
      sendRequest({ content: { subject: 'News', html: '<p>News</p>' }, tracking: false }),
    );
    const line = received?.headerLines.find((l) => l.key === 'list-unsubscribe')?.line ?? '';
    const url = /<([^>]+)>/.exec(line.replace(/\r?\n[ \t]+/g, ''))?.[1] ?? '';
    expect(url).toMatch(/^https:\/\/cairn\.example\.com\/u\//);
    expect(received?.html).toContain(`<a href="${url.replace(/=/g, '&#x3D;')}">Unsubscribe</a>`);
    expect(received?.text).toContain(`Unsubscribe: ${url}`);
  });

  it('keeps the one the template placed, once', async () => {
    const received = await send(
      sendRequest({
        content: { subject: 'News', html: '<p><a href="{{links.unsubscribe}}">Stop these</a></p>' },
        tracking: false,
      }),
    );
    expect(String(received?.html).match(/\/u\//g)).toHaveLength(1);
    expect(received?.html).not.toContain('>Unsubscribe<');
  });

  it('adds none to transactional email', async () => {
    const received = await send(
      sendRequest({
        messageKind: 'transactional',
        content: { subject: 'Receipt', html: '<p>Thanks</p>' },
        tracking: false,
      }),
    );
    expect(received?.html).not.toContain('Unsubscribe');
    expect(received?.headers.has('list-unsubscribe')).toBe(false);
  });
});
