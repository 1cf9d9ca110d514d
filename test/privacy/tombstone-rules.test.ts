import { count, eq } from 'drizzle-orm';
import {
  customers,
  deliveries,
  deviceTokens,
  erasedIdentifiers,
  events,
  journeyRuns,
  suppressions,
} from '../../src/db/schema';
import type { SendCheckInput } from '../../src/guardrails/send-checks';
import { importCustomers } from '../../src/imports';
import { eraseCustomerRows, openErasure } from '../../src/privacy/erase-customer-rows';
import { erasureCheck } from '../../src/privacy/erasure-check';
import { admitProfileWrite, ProfileWriteRefused } from '../../src/privacy/profile-writes';
import { markErased, readTombstone } from '../../src/privacy/tombstones';
import { createEventCoalescer } from '../../src/routing/event-coalescer';
import { CustomerErasedError, recordEvents } from '../../src/routing/record-events';
import { TEST_IDENTIFIER_KEY as key } from '../support/identifier-key';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * What a tombstone refuses, on Postgres without Temporal: events, profile writes and sends for
 * the erased id and its identifiers, from the moment the tombstone is written (the profile still
 * there) to after the erasure, and what a new opt-in releases.
 */
describe('tombstones', () => {
  let database: TestDatabase;
  const db = () => database.db;

  beforeAll(async () => {
    database = await createTestDatabase();
    await db()
      .insert(customers)
      .values([
        { id: 'gone', email: 'Gone.Person@Example.com', phone: '+14155550111' },
        { id: 'kept', email: 'kept@example.com' },
        { id: 'sharer', email: 'shared@example.com' },
      ]);
    await db()
      .insert(deviceTokens)
      .values([
        { token: 'token-gone-00001', customerId: 'gone', platform: 'ios' },
        { token: 'token-kept-00001', customerId: 'kept', platform: 'ios' },
      ]);
    await db()
      .insert(suppressions)
      .values({ channel: 'sms', address: '+14155550111', reason: 'hard_bounce', source: 'twilio' });
    await openErasure(db(), key, 'gone');
  });

  afterAll(async () => {
    await database?.close();
  });

  const event = (id: string, customerId: string) => ({ id, customerId, type: 'note' });

  it('refuses a batch with an event for the erased id as a whole, naming the item', async () => {
    const refused = recordEvents(db(), [event('e-1', 'kept'), event('e-2', 'gone')], {
      source: 'api',
    });
    await expect(refused).rejects.toEqual(new CustomerErasedError([1]));
    await expect(refused).rejects.toMatchObject({ indexes: [1] });
    const [stored] = await db().select({ n: count() }).from(events);
    expect(stored?.n).toBe(0);
    await expect(recordEvents(db(), [event('e-1', 'kept')], { source: 'api' })).resolves.toEqual([
      { id: 'e-1', duplicate: false, routed: false },
    ]);
  });

  it('refuses it on the path that checks deliveries too, before "not your delivery"', async () => {
    const refused = recordEvents(
      db(),
      [{ ...event('e-3', 'gone'), deliveryId: '00000000-0000-4000-8000-000000000001' }],
      { source: 'api' },
    );
    await expect(refused).rejects.toBeInstanceOf(CustomerErasedError);
  });

  it('takes the erased event out of a shared statement and stores the others', async () => {
    const singles = createEventCoalescer(db(), { source: 'api' });
    const [kept, gone] = await Promise.allSettled([
      singles.record(event('e-4', 'kept')),
      singles.record(event('e-5', 'gone')),
    ]);
    expect(kept).toEqual({
      status: 'fulfilled',
      value: { id: 'e-4', duplicate: false, routed: false },
    });
    expect(gone).toMatchObject({ status: 'rejected', reason: { indexes: [0] } });
    expect(gone.status === 'rejected' && gone.reason).toBeInstanceOf(CustomerErasedError);
  });

  it('refuses profile writes: the id while erasing, even with a new opt-in', async () => {
    const write = (newOptIn: boolean) =>
      admitProfileWrite(db(), key, { customerId: 'gone', email: 'x@example.com', newOptIn });
    await expect(write(true)).rejects.toEqual(new ProfileWriteRefused('erasure_in_progress', 'id'));
  });

  it('refuses an erased address under another id in any spelling, naming the field', async () => {
    await expect(
      admitProfileWrite(db(), key, {
        customerId: 'new-1',
        email: ' gone.person@EXAMPLE.com',
        newOptIn: false,
      }),
    ).rejects.toMatchObject({ reason: 'identifier_erased', field: 'email' });
    await expect(
      admitProfileWrite(db(), key, { customerId: 'new-1', phone: '+14155550111', newOptIn: false }),
    ).rejects.toMatchObject({ reason: 'identifier_erased', field: 'phone' });
    await expect(
      admitProfileWrite(db(), key, {
        customerId: 'new-1',
        email: 'other@example.com',
        newOptIn: false,
      }),
    ).resolves.toBeUndefined();
  });

  const sendTo = (overrides: Partial<SendCheckInput>): SendCheckInput => ({
    db: db(),
    customerId: 'kept',
    channel: 'email',
    messageKind: 'transactional',
    consent: {},
    emailMarketingDefault: 'opted_in',
    suppressionChannel: 'email',
    addresses: ['kept@example.com'],
    ...overrides,
  });

  it('fails sends closed: the erased customer on every channel, their addresses for anyone', async () => {
    const check = erasureCheck(key);
    await expect(
      check.run(
        sendTo({ customerId: 'gone', channel: 'in_app', suppressionChannel: null, addresses: [] }),
      ),
    ).resolves.toEqual({ allowed: false, reason: 'customer_erased' });
    await expect(check.run(sendTo({ addresses: ['GONE.person@example.com'] }))).resolves.toEqual({
      allowed: false,
      reason: 'erased_address',
    });
    await expect(check.run(sendTo({}))).resolves.toEqual({ allowed: true });
    // A push goes to the tokens that are not erased.
    await expect(
      check.run(
        sendTo({
          channel: 'push',
          suppressionChannel: 'push',
          addresses: ['token-gone-00001', 'token-kept-00001'],
        }),
      ),
    ).resolves.toEqual({ allowed: true, addresses: ['token-kept-00001'] });
  });

  it('refuses to erase rows while a run of the customer is running, and erases nothing', async () => {
    await db().insert(journeyRuns).values({
      workflowId: 'journey:j:gone',
      journeyId: 'j',
      journeyVersion: 1,
      customerId: 'gone',
      status: 'running',
    });
    await expect(eraseCustomerRows(db(), key, 'gone')).resolves.toEqual({
      done: false,
      runningRuns: 1,
    });
    expect(await db().select().from(customers).where(eq(customers.id, 'gone'))).toHaveLength(1);
    await db()
      .update(journeyRuns)
      .set({ status: 'cancelled' })
      .where(eq(journeyRuns.customerId, 'gone'));
  });

  it('erases, keeping a suppressed number blocked as a hashed entry only', async () => {
    await db().insert(deliveries).values({
      deliveryKey: 'journey:j:gone/run/step/1/0',
      customerId: 'gone',
      journeyId: 'j',
      journeyVersion: 1,
      workflowId: 'journey:j:gone',
      stepId: 'step',
      channel: 'sms',
      messageKind: 'transactional',
      status: 'sent',
      recipient: '+14155550111',
    });
    const erased = await eraseCustomerRows(db(), key, 'gone');
    expect(erased).toMatchObject({
      done: true,
      erasedRows: {
        customers: 1,
        suppressions: 1,
        deliveries: 1,
        device_tokens: 1,
        journey_runs: 1,
      },
    });
    await markErased(db(), 'gone', { rounds: 1, erasedRows: {}, historiesDeleted: 0 });
    expect(await db().select().from(suppressions)).toEqual([]);
    const entries = await db().select().from(erasedIdentifiers);
    expect(entries.map((e) => [e.kind, e.suppressionReason]).sort()).toEqual([
      ['email', null],
      ['phone', 'hard_bounce'],
      ['push_token', null],
    ]);
    // The number stays blocked for the customer who has it now, as the suppression did.
    await expect(
      erasureCheck(key).run(
        sendTo({ channel: 'sms', suppressionChannel: 'sms', addresses: ['+14155550111'] }),
      ),
    ).resolves.toEqual({ allowed: false, reason: 'suppressed' });
  });

  it('refuses file rows that would bring the erased customer back, by line and field', async () => {
    const file = [
      { id: 'gone', attributes: { plan: 'pro' } },
      { id: 'lookalike', email: 'GONE.person@example.com' },
      { id: 'dialler', phone: '+14155550111' },
      { id: 'fresh', email: 'fresh@example.com' },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n');
    const outcome = await importCustomers(db(), [file], {
      format: 'ndjson',
      limits: () => [],
      now: new Date(),
      emailMarketingDefault: 'opted_in',
      identifierKey: key,
    });
    expect(outcome).toMatchObject({ rows: 4, created: 1, rejected: 3, unchanged: 0 });
    expect(outcome.rejectedRows.map((r) => [r.line, r.path])).toEqual([
      [1, 'id'],
      [2, 'email'],
      [3, 'phone'],
    ]);
    const stored = await db().select({ id: customers.id }).from(customers);
    expect(stored.map((row) => row.id).sort()).toEqual(['fresh', 'kept', 'sharer']);
    // Nothing in the report repeats the identifiers.
    expect(JSON.stringify(outcome)).not.toMatch(/gone\.person|4155550111/i);
  });

  it('after the erasure: the id is refused without a new opt-in, released with one', async () => {
    await expect(
      admitProfileWrite(db(), key, { customerId: 'gone', newOptIn: false }),
    ).rejects.toMatchObject({ reason: 'customer_erased', field: 'id' });
    await expect(
      recordEvents(db(), [event('e-6', 'gone')], { source: 'api' }),
    ).rejects.toBeInstanceOf(CustomerErasedError);
    await admitProfileWrite(db(), key, {
      customerId: 'gone',
      email: 'gone.person@example.com',
      phone: '+14155550111',
      newOptIn: true,
    });
    expect(await readTombstone(db(), 'gone')).toMatchObject({
      status: 'erased',
      releasedAt: expect.any(Date) as unknown,
    });
    // The email is free again; the hard-bounced number's block outlives any opt-in.
    const left = await db().select().from(erasedIdentifiers);
    expect(left.map((e) => e.kind).sort()).toEqual(['phone', 'push_token']);
    await db().insert(customers).values({ id: 'gone', email: 'gone.person@example.com' });
    await expect(recordEvents(db(), [event('e-6', 'gone')], { source: 'api' })).resolves.toEqual([
      { id: 'e-6', duplicate: false, routed: false },
    ]);
  });
});
