import { sql } from 'drizzle-orm';
import {
  addSuppression,
  InvalidAddressError,
  isSuppressed,
  listSuppressions,
  normaliseAddress,
  removeSuppression,
} from '../../src/guardrails/suppression';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

describe('normaliseAddress', () => {
  it('lower-cases and trims emails, makes phones E.164, keeps push tokens', () => {
    expect(normaliseAddress('email', '  Ada@Example.COM ')).toEqual({
      ok: true,
      address: 'ada@example.com',
    });
    expect(normaliseAddress('sms', '+1 (415) 555-0100')).toEqual({
      ok: true,
      address: '+14155550100',
    });
    expect(normaliseAddress('push', 'fcm-Token:APA91b_X')).toEqual({
      ok: true,
      address: 'fcm-Token:APA91b_X',
    });
  });

  it('names the rule an invalid address breaks, never the address', () => {
    const email = normaliseAddress('email', 'not-an-email');
    expect(email).toEqual({ ok: false, problem: 'must be an email address' });
    const phone = normaliseAddress('sms', '0415 555 0100');
    expect(phone.ok).toBe(false);
    expect(JSON.stringify(phone)).not.toContain('0415');
    expect(normaliseAddress('push', 'a b').ok).toBe(false);
  });
});

describe('suppression list', () => {
  it('suppresses an address however it is written, idempotently', async () => {
    const db = database.db;
    const first = await addSuppression(db, {
      channel: 'email',
      address: 'Bounce@Example.com',
      reason: 'hard_bounce',
      source: 'smtp',
    });
    expect(first.created).toBe(true);
    expect(first.row.address).toBe('bounce@example.com');
    const again = await addSuppression(db, {
      channel: 'email',
      address: ' bounce@example.COM',
      reason: 'manual',
      source: 'api',
    });
    expect(again).toEqual({ row: first.row, created: false });
    await expect(isSuppressed(db, 'email', 'BOUNCE@example.com')).resolves.toEqual({
      suppressed: true,
      reason: 'hard_bounce',
    });
    // The same address on another channel is not suppressed.
    await expect(isSuppressed(db, 'email', 'other@example.com')).resolves.toEqual({
      suppressed: false,
    });
  });

  it('matches phones in E.164 and removes entries', async () => {
    const db = database.db;
    await addSuppression(db, {
      channel: 'sms',
      address: '+44 20 7946 0000',
      reason: 'complaint',
      source: 'twilio',
    });
    await expect(isSuppressed(db, 'sms', '+442079460000')).resolves.toEqual({
      suppressed: true,
      reason: 'complaint',
    });
    await expect(removeSuppression(db, 'sms', '+44-20-7946-0000')).resolves.toBe(true);
    await expect(removeSuppression(db, 'sms', '+442079460000')).resolves.toBe(false);
    await expect(isSuppressed(db, 'sms', '+442079460000')).resolves.toEqual({
      suppressed: false,
    });
  });

  it('treats an address that cannot be normalised as suppressed (fail closed)', async () => {
    await expect(isSuppressed(database.db, 'sms', '555-0100')).resolves.toEqual({
      suppressed: true,
      reason: 'invalid_address',
    });
    await expect(
      addSuppression(database.db, {
        channel: 'email',
        address: 'nope',
        reason: 'manual',
        source: 'api',
      }),
    ).rejects.toBeInstanceOf(InvalidAddressError);
  });

  it('pages newest first, per channel', async () => {
    const db = database.db;
    for (let i = 0; i < 5; i++) {
      await addSuppression(db, {
        channel: 'push',
        address: `push-token-${i}-abcdef`,
        reason: 'invalid_address',
        source: 'fcm',
      });
    }
    const first = await listSuppressions(db, { channel: 'push', limit: 3 });
    expect(first.rows.map((r) => r.address)).toEqual([
      'push-token-4-abcdef',
      'push-token-3-abcdef',
      'push-token-2-abcdef',
    ]);
    const second = await listSuppressions(db, {
      channel: 'push',
      limit: 3,
      cursor: first.nextCursor ?? '',
    });
    expect(second.rows.map((r) => r.address)).toEqual([
      'push-token-1-abcdef',
      'push-token-0-abcdef',
    ]);
    expect(second.nextCursor).toBeNull();
  });

  it('lets a database error propagate instead of answering "not suppressed"', async () => {
    const broken = await createTestDatabase();
    await broken.db.execute(sql`drop table suppressions`);
    await expect(isSuppressed(broken.db, 'email', 'ada@example.com')).rejects.toThrow();
    await broken.close();
  });
});
