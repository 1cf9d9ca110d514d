import { count, eq } from 'drizzle-orm';
import { createActivities } from '../../src/activities';
import type { SendOutcome } from '../../src/journeys/run-types';
import { createEmailChannel } from '../../src/channels/email-channel';
import type { EmailChannel } from '../../src/channels/channel';
import { deliveries } from '../../src/db/schema';
import { createConsentGate } from '../../src/guardrails/consent-gate';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, seedCustomer, sendRequest } from './fixtures';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';

/**
 * A send claims its message (pending → sending) only when it can go on the wire at once. With
 * more sends than pooled SMTP connections, the others wait for a connection while still pending:
 * a worker killed then loses nothing, where a claimed message waiting in nodemailer's queue
 * would be recorded `unknown` and never sent.
 */
describe('sends beyond the SMTP pool', () => {
  let database: TestDatabase;
  let peer: SmtpPeer;
  let email: EmailChannel;
  const customers = Array.from({ length: 12 }, (_, i) => `pool-${i}`);

  beforeAll(async () => {
    database = await createTestDatabase();
    for (const id of customers) await seedCustomer(database.db, { id });
    // 300 ms per message, as the slow server the crash tests were run against.
    peer = await startSmtpPeer({ dataDelayMs: 300 });
    email = createEmailChannel({ url: peer.url, from: 'Shop <news@shop.test>' });
  });

  afterAll(async () => {
    await email.close();
    await peer.stop();
    await database.close();
  });

  it('are claimed no faster than the five connections take them, and all go out', async () => {
    const activities = createActivities({
      identifierKey: TEST_IDENTIFIER_KEY,
      db: database.db,
      email,
      consentGate: createConsentGate(database.gate),
      config: { companyName: 'Shop', appUrl: 'https://shop.test', defaultTimeZone: 'UTC' },
    });
    const { env } = activityEnvironment();
    const claimed = async () =>
      (
        await database.db
          .select({ n: count() })
          .from(deliveries)
          .where(eq(deliveries.status, 'sending'))
      )[0]?.n ?? 0;

    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, await claimed());
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const outcomes = await Promise.all(
      customers.map((customerId) =>
        env.run(
          activities.sendMessage,
          sendRequest({ customerId, messageKind: 'transactional', tracking: false }),
        ),
      ),
    );
    sampling = false;
    await sampler;

    expect(outcomes.map((o) => (o as SendOutcome).status)).toEqual(customers.map(() => 'sent'));
    expect(peer.messages).toHaveLength(customers.length);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(5);
  });
});
