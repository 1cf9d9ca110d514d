import { createActivities, type SendMessageRequest } from '../../src/activities';
import type { EmailChannel } from '../../src/channels/channel';
import { createEmailChannel } from '../../src/channels/email-channel';
import { customerTopics, suppressions, topics } from '../../src/db/schema';
import { consentGateFor } from '../../src/guardrails/consent-gate';
import {
  openCountingDatabase,
  roundTrips,
  type CountingDatabase,
  type StatementCount,
} from '../../bench/support/counting-database';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, seedCustomer, sendRequest } from './fixtures';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';

/** What one send costs in Postgres, counted on the wire of both pools (main and consent gate). */
describe('the send path on Postgres', () => {
  let database: TestDatabase;
  let counting: CountingDatabase;
  let peer: SmtpPeer;
  let email: EmailChannel;
  let send: (request: SendMessageRequest) => Promise<unknown>;

  beforeAll(async () => {
    database = await createTestDatabase();
    counting = openCountingDatabase(database.url);
    peer = await startSmtpPeer();
    email = createEmailChannel({ url: peer.url, from: 'Shop <news@shop.test>' });
    const activities = createActivities({
      identifierKey: TEST_IDENTIFIER_KEY,
      db: counting.handle.db,
      consentGate: consentGateFor(counting.handle),
      email,
      config: {
        companyName: 'Shop',
        appUrl: 'https://shop.test',
        defaultTimeZone: 'UTC',
        emailMarketingDefault: 'opted_in',
      },
    });
    const { env } = activityEnvironment();
    send = (request) => env.run(activities.sendMessage, request);
    await database.db.insert(topics).values({ id: 'news', name: 'News', mode: 'opt_out' });
  });

  afterAll(async () => {
    await email?.close();
    await peer?.stop();
    await counting?.close();
    await database?.close();
  });

  /** Round trips and describe-only round trips of one send, after a first send warmed the pools. */
  async function cost(request: (customerId: string) => SendMessageRequest, label: string) {
    const ids = [`${label}-warm`, `${label}-counted`];
    for (const id of ids) await seedCustomer(database.db, { id });
    await send(request(ids[0]!));
    const before = { main: { ...counting.main }, gate: { ...counting.gate } };
    const outcome = await send(request(ids[1]!));
    const delta = (now: StatementCount, then: StatementCount) => ({
      statements: now.statements - then.statements,
      described: now.described - then.described,
    });
    const main = delta(counting.main, before.main);
    const gate = delta(counting.gate, before.gate);
    return {
      outcome,
      roundTrips: roundTrips(main) + roundTrips(gate),
      described: main.described + gate.described,
    };
  }

  it('sends an email in eight round trips, none of them describe-only', async () => {
    const transactional = (customerId: string) =>
      sendRequest({
        customerId,
        workflowId: `journey:cart:${customerId}`,
        messageKind: 'transactional',
      });
    await expect(cost(transactional, 'receipt')).resolves.toEqual({
      outcome: { status: 'sent', deliveryId: expect.any(String) as unknown },
      // ledger row, gate BEGIN, gate lock, customer read, erasure check (its hashes need the
      // address the read found), claim, record, gate COMMIT: eight statements as counted here;
      // BEGIN and the lock leave in one write, so seven waits
      // (test/guardrails/consent-gate-pipelined.test.ts)
      roundTrips: 8,
      described: 0,
    });
  });

  it('reads suppression and topic with the customer: no round trip more for marketing', async () => {
    const marketing = (customerId: string) =>
      sendRequest({ customerId, workflowId: `journey:cart:${customerId}`, topic: 'news' });
    await expect(cost(marketing, 'news')).resolves.toMatchObject({
      outcome: { status: 'sent' },
      roundTrips: 8,
      described: 0,
    });
  });

  it('decides a capped marketing send in one transaction: BEGIN, SET, lock, read, claim, COMMIT', async () => {
    const capped = (customerId: string) =>
      sendRequest({
        customerId,
        workflowId: `journey:cart:${customerId}`,
        caps: [{ channel: 'email', limit: 5, window: '1d' }],
      });
    await expect(cost(capped, 'capped')).resolves.toMatchObject({
      outcome: { status: 'sent' },
      // the eight of an uncapped send, and the lock, the isolation level and the claims read
      // around the claim in a transaction of its own (BEGIN and COMMIT)
      roundTrips: 13,
      described: 0,
    });
  });

  it('still refuses what the one read finds: a suppressed address, an unsubscribed topic', async () => {
    await seedCustomer(database.db, { id: 'bounced', email: 'Bounced@Example.com' });
    await database.db.insert(suppressions).values({
      channel: 'email',
      address: 'bounced@example.com',
      reason: 'hard_bounce',
      source: 'api',
    });
    await seedCustomer(database.db, { id: 'quiet' });
    await database.db
      .insert(customerTopics)
      .values({ customerId: 'quiet', topicId: 'news', status: 'unsubscribed' });
    const request = (customerId: string) =>
      sendRequest({ customerId, workflowId: `journey:cart:${customerId}`, topic: 'news' });
    await expect(send(request('bounced'))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'suppressed',
    });
    await expect(send(request('quiet'))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'topic_unsubscribed',
    });
    await expect(send(request('nobody-at-all'))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'customer_not_found',
    });
  });
});
