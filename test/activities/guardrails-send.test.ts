import { eq, sql } from 'drizzle-orm';
import type { ActivityFaults, SendMessageRequest } from '../../src/activities';
import { customers, deliveries, suppressions, topics } from '../../src/db/schema';
import { createConsentGate, lockConsentForChange } from '../../src/guardrails/consent-gate';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { eventually } from '../support/eventually';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, testActivities, seedCustomer } from './fixtures';

let sequence = 0;

function email(customerId: string, extra: Partial<SendMessageRequest> = {}): SendMessageRequest {
  sequence += 1;
  return {
    deliveryKey: `journey:news:${customerId}/run-1/news/${sequence}/0`,
    customerId,
    journeyId: 'news',
    journeyVersion: 1,
    workflowId: `journey:news:${customerId}`,
    stepId: 'news',
    channel: 'email',
    messageKind: 'marketing',
    content: { subject: 'News', html: '<p>News</p>' },
    variables: { trigger: {}, context: {} },
    onCap: 'defer',
    ...extra,
  };
}

describe('guardrails at send time', () => {
  let database: TestDatabase;
  let smtp: SmtpPeer;
  const faults: ActivityFaults = {};
  let send: (request: SendMessageRequest) => Promise<unknown>;

  beforeAll(async () => {
    [database, smtp] = await Promise.all([createTestDatabase(), startSmtpPeer()]);
    const activities = testActivities({
      db: database.db,
      consentGate: createConsentGate(database.gate),
      smtpUrl: smtp.url,
      config: {
        companyName: 'Acme',
        defaultTimeZone: 'UTC',
        caps: [{ channel: 'email', limit: 1, window: '1d' }],
      },
      faults,
    });
    send = (request) => activityEnvironment().env.run(activities.sendMessage, request);
    await database.db
      .insert(topics)
      .values({ id: 'newsletter', name: 'Newsletter', mode: 'opt_in' });
  });

  afterEach(() => {
    delete faults.beforeProviderCall;
  });

  afterAll(async () => {
    await smtp?.stop();
    await database?.close();
  });

  const mailTo = (customerId: string) =>
    smtp.messages.filter((m) => m.envelope.to.includes(`${customerId}@example.com`));

  /** Opts the customer out of email in a transaction that takes the consent lock, like every change. */
  const optOut = (customerId: string) =>
    database.db.transaction(async (tx) => {
      await lockConsentForChange(tx, customerId);
      await tx
        .update(customers)
        .set({ consent: { email: 'opted_out' } })
        .where(eq(customers.id, customerId));
    });

  it('lets an unsubscribe recorded during an in-flight send commit only after that send', async () => {
    await seedCustomer(database.db, { id: 'una' });
    // Held in an object: the fault hook assigns it while the send is on its way.
    const change: { done?: Promise<void>; committedAt: number } = { committedAt: 0 };
    faults.beforeProviderCall = async () => {
      change.done = optOut('una').then(() => void (change.committedAt = Date.now()));
      await waitForLockWaiter(database);
    };
    await expect(send(email('una'))).resolves.toMatchObject({ status: 'sent' });
    const sentAt = Date.now();
    await change.done;
    expect(change.committedAt).toBeGreaterThanOrEqual(sentAt);
    expect(mailTo('una')).toHaveLength(1);
    await expect(send(email('una'))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'no_consent',
    });
    expect(mailTo('una')).toHaveLength(1);
  });

  it('holds a send that starts while an unsubscribe is being written, and then skips it', async () => {
    await seedCustomer(database.db, { id: 'otto' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const change = database.db.transaction(async (tx) => {
      await lockConsentForChange(tx, 'otto');
      await tx
        .update(customers)
        .set({ consent: { email: 'opted_out' } })
        .where(eq(customers.id, 'otto'));
      await held;
    });
    await waitForLockHolder(database);
    const sending = send(email('otto'));
    await waitForLockWaiter(database);
    release();
    await change;
    await expect(sending).resolves.toMatchObject({ status: 'skipped', reason: 'no_consent' });
    expect(mailTo('otto')).toEqual([]);
  });

  it('orders sends against consent changes even when no gate was wired in (fails closed)', async () => {
    // Built without a consentGate: the activity must not fall back to sending unordered.
    const ungated = testActivities({ db: database.db, smtpUrl: smtp.url });
    await seedCustomer(database.db, { id: 'gus' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const change = database.db.transaction(async (tx) => {
      await lockConsentForChange(tx, 'gus');
      await tx
        .update(customers)
        .set({ consent: { email: 'opted_out' } })
        .where(eq(customers.id, 'gus'));
      await held;
    });
    await waitForLockHolder(database);
    const sending = activityEnvironment().env.run(ungated.sendMessage, email('gus'));
    await waitForLockWaiter(database);
    release();
    await change;
    await expect(sending).resolves.toMatchObject({ status: 'skipped', reason: 'no_consent' });
    expect(mailTo('gus')).toEqual([]);
  });

  it('defers marketing over the cap, and lets transactional mail pass caps and topics', async () => {
    await seedCustomer(database.db, { id: 'cora' });
    await expect(send(email('cora'))).resolves.toMatchObject({ status: 'sent' });
    const deferred = (await send(email('cora'))) as { status: string; retryAt: number };
    expect(deferred).toMatchObject({ status: 'deferred', reason: 'frequency_capped' });
    expect(deferred.retryAt).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    await expect(send(email('cora', { onCap: 'skip' }))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'frequency_capped',
    });
    await expect(send(email('cora', { topic: 'newsletter' }))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'topic_not_opted_in',
    });
    await expect(
      send(email('cora', { messageKind: 'transactional', topic: 'newsletter' })),
    ).resolves.toMatchObject({ status: 'sent' });
    expect(mailTo('cora')).toHaveLength(2);
  });

  it('never sends to a hard-bounced address, transactional included', async () => {
    await seedCustomer(database.db, { id: 'bo' });
    await database.db.insert(suppressions).values({
      channel: 'email',
      address: 'bo@example.com',
      reason: 'hard_bounce',
      source: 'api',
    });
    await expect(send(email('bo', { messageKind: 'transactional' }))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'suppressed',
    });
    expect(mailTo('bo')).toEqual([]);
  });

  it('follows the configured default for marketing email to customers who made no choice', async () => {
    const strict = testActivities({
      db: database.db,
      smtpUrl: smtp.url,
      config: { companyName: 'Acme', defaultTimeZone: 'UTC', emailMarketingDefault: 'opted_out' },
    });
    const sendStrict = (request: SendMessageRequest) =>
      activityEnvironment().env.run(strict.sendMessage, request);
    await seedCustomer(database.db, { id: 'nina' });
    await seedCustomer(database.db, { id: 'olaf', consent: { email: 'opted_in' } });
    await expect(sendStrict(email('nina'))).resolves.toMatchObject({
      status: 'skipped',
      reason: 'no_consent',
    });
    await expect(sendStrict(email('olaf'))).resolves.toMatchObject({ status: 'sent' });
  });

  it('fails and retries, never sends, when the cap or consent cannot be read', async () => {
    await seedCustomer(database.db, { id: 'dee' });
    const request = email('dee');
    await database.db.execute(
      sql`alter table deliveries rename column claimed_at to claimed_at_moved`,
    );
    try {
      await expect(send(request)).rejects.toThrow();
    } finally {
      await database.db.execute(
        sql`alter table deliveries rename column claimed_at_moved to claimed_at`,
      );
    }
    expect(mailTo('dee')).toEqual([]);
    await database.db.execute(sql`alter table topics rename to topics_moved`);
    try {
      await expect(send(email('dee', { topic: 'newsletter' }))).rejects.toThrow();
    } finally {
      await database.db.execute(sql`alter table topics_moved rename to topics`);
    }
    expect(mailTo('dee')).toEqual([]);
    // The retry, with the database back, goes through the same checks and sends once.
    await expect(send(request)).resolves.toMatchObject({ status: 'sent' });
    const [row] = await database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.deliveryKey, request.deliveryKey));
    expect(row).toMatchObject({ status: 'sent' });
    expect(mailTo('dee')).toHaveLength(1);
  });
});

/** Resolves once some session waits for an advisory lock (the consent gate), by asking Postgres. */
async function waitForLockWaiter(database: TestDatabase): Promise<void> {
  await waitForLock(database, false);
}

async function waitForLockHolder(database: TestDatabase): Promise<void> {
  await waitForLock(database, true);
}

async function waitForLock(database: TestDatabase, granted: boolean): Promise<void> {
  await eventually(
    async () => {
      const result = await database.db.execute<{ n: number }>(
        // This test's database only: other test files take advisory locks beside it.
        sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and granted = ${granted}
              and database = (select oid from pg_database where datname = current_database())`,
      );
      const rows = (
        Array.isArray(result) ? result : (result as { rows: { n: number }[] }).rows
      ) as {
        n: number;
      }[];
      return (rows[0]?.n ?? 0) > 0;
    },
    {
      timeoutMs: 4_000,
      intervalMs: 10,
      describe: `an advisory lock ${granted ? 'held' : 'awaited'}`,
    },
  );
}
