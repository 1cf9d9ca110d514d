import { eq, sql } from 'drizzle-orm';
import { type SendMessageRequest } from '../../src/activities';
import { deliveries, suppressions } from '../../src/db/schema';
import { createConsentGate } from '../../src/guardrails/consent-gate';
import { isSuppressed } from '../../src/guardrails/suppression';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, testActivities, seedCustomer, type LogEntry } from './fixtures';

let sequence = 0;

function email(customerId: string, messageKind = 'marketing'): SendMessageRequest {
  sequence += 1;
  return {
    deliveryKey: `journey:news:${customerId}/run-1/news/${sequence}/0`,
    customerId,
    journeyId: 'news',
    journeyVersion: 1,
    workflowId: `journey:news:${customerId}`,
    stepId: `news-${sequence}`,
    channel: 'email',
    messageKind: messageKind as SendMessageRequest['messageKind'],
    content: { subject: 'News', html: '<p>News</p>' },
    variables: { trigger: {}, context: {} },
  };
}

describe('a hard bounce at send time', () => {
  let database: TestDatabase;
  let smtp: SmtpPeer;
  let logs: LogEntry[];
  let send: (request: SendMessageRequest) => Promise<unknown>;

  beforeAll(async () => {
    [database, smtp] = await Promise.all([createTestDatabase(), startSmtpPeer()]);
    const activities = testActivities({
      db: database.db,
      consentGate: createConsentGate(database.gate),
      smtpUrl: smtp.url,
      config: { companyName: 'Acme', defaultTimeZone: 'UTC' },
    });
    send = (request) => {
      const harness = activityEnvironment();
      logs = harness.logs;
      return harness.env.run(activities.sendMessage, request);
    };
  });

  afterAll(async () => {
    await smtp?.stop();
    await database?.close();
  });

  it('suppresses the address, and the next email step for it is skipped as suppressed', async () => {
    await seedCustomer(database.db, { id: 'hana', email: 'Hana@Example.com' });
    smtp.rejectNext(550, '5.1.1 No such user here');
    const first = email('hana');
    await expect(send(first)).resolves.toMatchObject({
      status: 'failed',
      reason: 'provider_rejected:smtp_550',
    });
    expect(smtp.rejected).toBe(1);
    await expect(isSuppressed(database.db, 'email', 'hana@example.com')).resolves.toEqual({
      suppressed: true,
      reason: 'hard_bounce',
    });
    const [entry] = await database.db
      .select()
      .from(suppressions)
      .where(eq(suppressions.address, 'hana@example.com'));
    expect(entry?.source).toBe('smtp');
    expect(JSON.stringify(logs)).not.toMatch(/hana@example\.com/i);

    // Transactional mail does not pass a suppression either.
    for (const next of [email('hana'), email('hana', 'transactional')]) {
      await expect(send(next)).resolves.toMatchObject({ status: 'skipped', reason: 'suppressed' });
    }
    expect(smtp.messages.filter((m) => m.envelope.to.includes('hana@example.com'))).toEqual([]);
    const rows = await database.db
      .select({ status: deliveries.status, reason: deliveries.reason })
      .from(deliveries)
      .where(eq(deliveries.customerId, 'hana'));
    expect(rows).toHaveLength(3);
    expect(rows).toContainEqual({ status: 'failed', reason: 'provider_rejected:smtp_550' });
  });

  it('does not suppress for a permanent refusal that is not about the address', async () => {
    await seedCustomer(database.db, { id: 'ida' });
    smtp.rejectNext(554, '5.7.1 Message refused by policy');
    await expect(send(email('ida'))).resolves.toMatchObject({
      status: 'failed',
      reason: 'provider_rejected:smtp_554',
    });
    await expect(isSuppressed(database.db, 'email', 'ida@example.com')).resolves.toEqual({
      suppressed: false,
    });
    await expect(send(email('ida'))).resolves.toMatchObject({ status: 'sent' });
    await smtp.waitForMessages(1);
  });

  it('keeps the failure recorded, without a retry, when the suppression cannot be written', async () => {
    await seedCustomer(database.db, { id: 'jon' });
    await database.db.execute(sql`
      create function refuse_suppressions() returns trigger language plpgsql as
        $$ begin raise exception 'suppressions unavailable'; end $$;
      create trigger refuse_suppressions before insert on suppressions
        for each row execute function refuse_suppressions();`);
    try {
      smtp.rejectNext(550, '5.1.1 No such user here');
      await expect(send(email('jon'))).resolves.toMatchObject({
        status: 'failed',
        reason: 'provider_rejected:smtp_550',
      });
      expect(logs).toContainEqual(
        expect.objectContaining({ level: 'WARN', message: 'suppressing a refused address failed' }),
      );
      expect(JSON.stringify(logs)).not.toContain('jon@example.com');
    } finally {
      await database.db.execute(sql`
        drop trigger refuse_suppressions on suppressions;
        drop function refuse_suppressions();`);
    }
  });
});
