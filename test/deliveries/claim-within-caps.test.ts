import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, type Database, type DatabaseHandle } from '../../src/db/database';
import { customerRedirects, customers, deliveries, type DeliveryStatus } from '../../src/db/schema';
import type { CapRule } from '../../src/guardrails/cap-rules';
import {
  claimWithinCaps,
  lockCustomerCaps,
  type CapClaimRequest,
  type CapClaimResult,
} from '../../src/deliveries/claim-within-caps';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2024-05-01T12:00:00Z');
const EMAIL_DAILY: CapRule = { channel: 'email', limit: 1, window: '1d' };

type Channel = CapClaimRequest['channel'];
type Kind = CapClaimRequest['messageKind'];

let sequence = 0;

async function seedCustomer(db: Database, id: string): Promise<string> {
  await db.insert(customers).values({ id }).onConflictDoNothing();
  return id;
}

function freshCustomer(db: Database, label: string): Promise<string> {
  sequence += 1;
  return seedCustomer(db, `${label}-${sequence}`);
}

/** A ledger row as openDelivery writes it, optionally already claimed by an earlier send. */
async function insertDelivery(
  db: Database,
  row: {
    customerId: string;
    channel?: Channel;
    messageKind?: Kind;
    status?: DeliveryStatus;
    claimedAt?: Date;
  },
): Promise<string> {
  sequence += 1;
  const [inserted] = await db
    .insert(deliveries)
    .values({
      deliveryKey: `test/${row.customerId}/${sequence}`,
      customerId: row.customerId,
      journeyId: `journey-${sequence}`,
      journeyVersion: 1,
      workflowId: `journey:j-${sequence}:${row.customerId}`,
      stepId: 'send',
      channel: row.channel ?? 'email',
      messageKind: row.messageKind ?? 'marketing',
      status: row.status ?? 'pending',
      claimedAt: row.claimedAt ?? null,
    })
    .returning({ id: deliveries.id });
  if (!inserted) throw new Error('insert returned no row');
  return inserted.id;
}

function claim(
  db: Database,
  deliveryId: string,
  customerId: string,
  overrides: Partial<CapClaimRequest> = {},
): Promise<CapClaimResult> {
  return claimWithinCaps(db, {
    deliveryId,
    customerId,
    channel: 'email',
    messageKind: 'marketing',
    rules: [EMAIL_DAILY],
    now: NOW,
    patch: { recipient: 'someone@example.com', subject: 'Hello' },
    ...overrides,
  });
}

async function statusOf(db: Database, id: string): Promise<DeliveryStatus | undefined> {
  const rows = await db
    .select({ status: deliveries.status })
    .from(deliveries)
    .where(eq(deliveries.id, id));
  return rows[0]?.status;
}

async function pendingDeliveries(db: Database, customerId: string, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) ids.push(await insertDelivery(db, { customerId }));
  return ids;
}

describe('claimWithinCaps on Postgres', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
  });

  afterAll(async () => {
    await database.close();
  });

  it('claims the first email of the day and caps the second until the first is a day old', async () => {
    const customerId = await freshCustomer(db, 'daily');
    const [first, second] = await pendingDeliveries(db, customerId, 2);

    const claimed = await claim(db, first!, customerId);
    expect(claimed).toEqual({
      kind: 'claimed',
      row: expect.objectContaining({
        id: first,
        status: 'sending',
        claimedAt: NOW,
        attempts: 1,
        recipient: 'someone@example.com',
        subject: 'Hello',
      }) as unknown,
    });

    const later = new Date(NOW.getTime() + 5 * HOUR);
    expect(await claim(db, second!, customerId, { now: later })).toEqual({
      kind: 'capped',
      rule: EMAIL_DAILY,
      retryAt: new Date(NOW.getTime() + DAY),
      counted: 1,
    });
    expect(await statusOf(db, second!)).toBe('pending');

    const retryAt = new Date(NOW.getTime() + DAY);
    expect(await claim(db, second!, customerId, { now: retryAt })).toMatchObject({
      kind: 'claimed',
    });
  });

  it('leaves other channels alone unless an "all" rule covers them', async () => {
    const customerId = await freshCustomer(db, 'channels');
    const email = await insertDelivery(db, { customerId, channel: 'email' });
    const sms = await insertDelivery(db, { customerId, channel: 'sms' });
    const push = await insertDelivery(db, { customerId, channel: 'push' });
    const rules: CapRule[] = [EMAIL_DAILY, { channel: 'all', limit: 2, window: '1d' }];

    expect(await claim(db, email, customerId, { rules })).toMatchObject({ kind: 'claimed' });
    expect(await claim(db, sms, customerId, { channel: 'sms', rules })).toMatchObject({
      kind: 'claimed',
    });
    expect(await claim(db, push, customerId, { channel: 'push', rules })).toMatchObject({
      kind: 'capped',
      rule: { channel: 'all', limit: 2, window: '1d' },
      counted: 2,
    });
  });

  it('lets transactional messages through a full cap and does not count them', async () => {
    const customerId = await freshCustomer(db, 'transactional');
    const receipt = await insertDelivery(db, { customerId, messageKind: 'transactional' });
    const promo = await insertDelivery(db, { customerId });
    const reset = await insertDelivery(db, { customerId, messageKind: 'transactional' });

    const first = await claim(db, receipt, customerId, { messageKind: 'transactional' });
    expect(first).toMatchObject({ kind: 'claimed', row: { claimedAt: NOW } });
    expect(await claim(db, promo, customerId)).toMatchObject({ kind: 'claimed' });
    expect(await claim(db, reset, customerId, { messageKind: 'transactional' })).toMatchObject({
      kind: 'claimed',
    });
  });

  it.each<[DeliveryStatus, boolean]>([
    ['sending', true],
    ['sent', true],
    ['unknown', true],
    ['skipped', false],
    ['failed', false],
    ['pending', false],
  ])('counts an earlier %s marketing email: %s', async (status, counts) => {
    const customerId = await freshCustomer(db, `status-${status}`);
    await insertDelivery(db, { customerId, status, claimedAt: new Date(NOW.getTime() - HOUR) });
    const next = await insertDelivery(db, { customerId });

    const result = await claim(db, next, customerId);
    expect(result.kind).toBe(counts ? 'capped' : 'claimed');
  });

  it('does not count claims older than the window, or transactional ones', async () => {
    const customerId = await freshCustomer(db, 'old');
    await insertDelivery(db, {
      customerId,
      status: 'sent',
      claimedAt: new Date(NOW.getTime() - DAY),
    });
    await insertDelivery(db, {
      customerId,
      status: 'sent',
      messageKind: 'transactional',
      claimedAt: new Date(NOW.getTime() - HOUR),
    });
    const next = await insertDelivery(db, { customerId });
    expect(await claim(db, next, customerId)).toMatchObject({ kind: 'claimed' });
  });

  it('reports a row another attempt already claimed, or that does not exist, as lost', async () => {
    const customerId = await freshCustomer(db, 'lost');
    const id = await insertDelivery(db, { customerId });
    expect(await claim(db, id, customerId)).toMatchObject({ kind: 'claimed' });
    // Its own claim fills the cap; a second attempt must learn that it is being sent, not capped.
    expect(await claim(db, id, customerId)).toEqual({ kind: 'lost' });
    expect(await claim(db, id, customerId, { rules: [] })).toEqual({ kind: 'lost' });
    expect(await claim(db, '00000000-0000-4000-8000-000000000000', customerId)).toEqual({
      kind: 'lost',
    });
  });

  it('refuses, and rolls back, a claim whose row belongs to another channel', async () => {
    const customerId = await freshCustomer(db, 'mismatch');
    const sms = await insertDelivery(db, { customerId, channel: 'sms' });
    await expect(claim(db, sms, customerId, { channel: 'email' })).rejects.toThrow(
      'channel differ',
    );
    expect(await statusOf(db, sms)).toBe('pending');
  });

  it.each([1, 2, 3, 4, 5])(
    'lets exactly one of 20 concurrent claims for one customer through a cap of 1 email a day (round %i)',
    async () => {
      const customerId = await freshCustomer(db, 'race');
      const ids = await pendingDeliveries(db, customerId, 20);
      await warmPool(db, 20);

      const results = await Promise.all(ids.map((id) => claim(db, id, customerId)));

      expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
      const capped = results.filter((r) => r.kind === 'capped');
      expect(capped).toHaveLength(19);
      for (const result of capped) {
        expect(result).toEqual({
          kind: 'capped',
          rule: EMAIL_DAILY,
          retryAt: new Date(NOW.getTime() + DAY),
          counted: 1,
        });
      }
      const rows = await db
        .select({ status: deliveries.status })
        .from(deliveries)
        .where(eq(deliveries.customerId, customerId));
      expect(rows.filter((r) => r.status === 'sending')).toHaveLength(1);
    },
  );

  it('lets exactly three of 20 concurrent claims through a cap of 3, with staggered clocks', async () => {
    const customerId = await freshCustomer(db, 'race-3');
    const ids = await pendingDeliveries(db, customerId, 20);
    const rules: CapRule[] = [{ channel: 'all', limit: 3, window: '12h' }];
    await warmPool(db, 20);

    const results = await Promise.all(
      ids.map((id, i) => claim(db, id, customerId, { rules, now: new Date(NOW.getTime() + i) })),
    );

    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(3);
    expect(results.filter((r) => r.kind === 'capped')).toHaveLength(17);
  });

  it('counts a merged-away customer and its survivor as one person, racing included', async () => {
    const visitor = await freshCustomer(db, 'anon');
    const survivor = await freshCustomer(db, 'user');
    // As src/identity's merge leaves them: the visitor redirects to the survivor, and the runs
    // the visitor started go on sending under the visitor's id.
    await db.insert(customerRedirects).values({
      customerId: visitor,
      survivorId: survivor,
      mergeId: randomUUID(),
    });
    const [fromVisitorRun] = await pendingDeliveries(db, visitor, 1);
    const [fromSurvivorRun] = await pendingDeliveries(db, survivor, 1);
    expect(await claim(db, fromVisitorRun!, visitor)).toMatchObject({ kind: 'claimed' });
    expect(await claim(db, fromSurvivorRun!, survivor)).toMatchObject({ kind: 'capped' });

    const rules: CapRule[] = [{ channel: 'all', limit: 2, window: '12h' }];
    const later = new Date(NOW.getTime() + DAY + HOUR);
    const racing = [
      ...(await pendingDeliveries(db, visitor, 5)).map((id) => ({ id, customerId: visitor })),
      ...(await pendingDeliveries(db, survivor, 5)).map((id) => ({ id, customerId: survivor })),
    ];
    await warmPool(db, 10);
    const results = await Promise.all(
      racing.map(({ id, customerId }, i) =>
        claim(db, id, customerId, { rules, now: new Date(later.getTime() + i) }),
      ),
    );
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(2);
  });

  it("does not block a second customer's claim while the first customer's lock is held", async () => {
    const held = await freshCustomer(db, 'held');
    const free = await freshCustomer(db, 'free');
    const heldId = await insertDelivery(db, { customerId: held });
    const freeId = await insertDelivery(db, { customerId: free });

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = db.transaction(async (tx) => {
      await lockCustomerCaps(tx, held);
      locked();
      await released;
    });
    await isLocked;

    const waiting = claim(db, heldId, held);
    await waitForAdvisoryWaiters(db, 1);
    const freeResult = await withDeadline(claim(db, freeId, free), 10_000);
    expect(freeResult).toMatchObject({ kind: 'claimed' });
    expect(await statusOf(db, heldId)).toBe('pending');

    release();
    await holder;
    expect(await waiting).toMatchObject({ kind: 'claimed' });
  });

  it('rejects and claims nothing when the database cannot be reached', async () => {
    const customerId = await freshCustomer(db, 'db-down');
    const id = await insertDelivery(db, { customerId });
    const broken = await openDatabase({ url: database.url, maxConnections: 2 });
    await broken.close();

    await expect(claim(broken.db, id, customerId)).rejects.toThrow();
    await expect(
      claim(broken.db, id, customerId, { messageKind: 'transactional' }),
    ).rejects.toThrow();
    expect(await statusOf(db, id)).toBe('pending');
  });
});

describe('claimWithinCaps on embedded PGlite', () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openDatabase({});
  });

  afterAll(async () => {
    await handle.close();
  });

  it('takes the same lock and enforces the same cap', async () => {
    const customerId = await seedCustomer(handle.db, 'pglite');
    const ids = await pendingDeliveries(handle.db, customerId, 5);

    const results = await Promise.all(ids.map((id) => claim(handle.db, id, customerId)));

    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'capped')).toHaveLength(4);
  });
});

/** Opens every pooled connection, so concurrent claims really run side by side. */
async function warmPool(db: Database, connections: number): Promise<void> {
  await Promise.all(
    Array.from({ length: connections }, () => db.transaction((tx) => tx.execute(sql`select 1`))),
  );
}

/** Polls pg_locks until `count` sessions wait for an advisory lock. */
async function waitForAdvisoryWaiters(db: Database, count: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const result = await db.execute<{ waiting: number }>(
      // This test's database only: other test files take advisory locks beside it.
      sql`select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted
            and database = (select oid from pg_database where datname = current_database())`,
    );
    const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
    if ((rows[0] as { waiting: number } | undefined)?.waiting === count) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`no session waited for the advisory lock`);
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still blocked after ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
