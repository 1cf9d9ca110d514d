import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { customers, customerTopics, suppressions, topics } from '../../src/db/schema';
import { consentAllows, type ConsentQuestion } from '../../src/guardrails/channel-consent';
import {
  runSendChecks,
  SEND_CHECK_ORDER,
  SEND_CHECKS,
  sendChecks,
  type SendCheckInput,
} from '../../src/guardrails/send-checks';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { erasureCheck } from '../../src/privacy/erasure-check';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';

describe('the send checks', () => {
  let database: TestDatabase;
  let input: (overrides?: Partial<SendCheckInput>) => SendCheckInput;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(customers).values({ id: 'cy', email: 'cy@example.com' });
    await database.db.insert(topics).values([
      { id: 'deals', name: 'Deals', mode: 'opt_out' },
      { id: 'beta', name: 'Beta', mode: 'opt_in' },
    ]);
    await database.db
      .insert(customerTopics)
      .values({ customerId: 'cy', topicId: 'deals', status: 'unsubscribed' });
    await database.db.insert(suppressions).values([
      { channel: 'email', address: 'cy@example.com', reason: 'hard_bounce', source: 'api' },
      { channel: 'push', address: 'token-dead-1', reason: 'manual', source: 'api' },
    ]);
    input = (overrides = {}) => ({
      db: database.db,
      customerId: 'cy',
      channel: 'email',
      messageKind: 'marketing',
      consent: {},
      emailMarketingDefault: 'opted_in',
      suppressionChannel: 'email',
      addresses: ['Cy@Example.com '],
      ...overrides,
    });
  });

  afterAll(async () => {
    await database?.close();
  });

  it('runs erasure, suppression, consent and topic in the documented order, caps last', () => {
    expect(SEND_CHECK_ORDER).toEqual(['erasure', 'suppression', 'consent', 'topic', 'caps']);
    expect(SEND_CHECKS.map((check) => check.name)).toEqual(SEND_CHECK_ORDER.slice(1, 4));
    const checks = sendChecks(erasureCheck(TEST_IDENTIFIER_KEY));
    expect(checks.map((check) => check.name)).toEqual(SEND_CHECK_ORDER.slice(0, 4));
    expect(() => sendChecks(SEND_CHECKS[0]!)).toThrow(
      'the first send check must be the erasure check',
    );
    // The README's guardrails list names the checks in the same order.
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('**Guardrails:'), readme.indexOf('A check that'));
    const documented = [...section.matchAll(/^\d\. \*\*(\w+)\*\*/gm)].map((match) => match[1]);
    expect(documented).toEqual([...SEND_CHECK_ORDER]);
  });

  it('lets the first refusal win', async () => {
    const everything = input({ consent: { email: 'opted_out' }, topic: 'deals' });
    await expect(runSendChecks(everything)).resolves.toEqual({
      allowed: false,
      check: 'suppression',
      reason: 'suppressed',
    });
    const unsuppressed = { ...everything, addresses: ['other@example.com'] };
    await expect(runSendChecks(unsuppressed)).resolves.toMatchObject({
      check: 'consent',
      reason: 'no_consent',
    });
    await expect(runSendChecks({ ...unsuppressed, consent: {} })).resolves.toMatchObject({
      check: 'topic',
      reason: 'topic_unsubscribed',
    });
  });

  it('suppresses transactional messages too, but lets them past consent and topics', async () => {
    const receipt = input({ messageKind: 'transactional', consent: { email: 'opted_out' } });
    await expect(runSendChecks(receipt)).resolves.toMatchObject({ reason: 'suppressed' });
    await expect(
      runSendChecks({ ...receipt, addresses: ['new@example.com'], topic: 'beta' }),
    ).resolves.toEqual({ allowed: true, addresses: ['new@example.com'] });
  });

  it('checks every push token, sending to those not suppressed', async () => {
    const push = input({
      channel: 'push',
      suppressionChannel: 'push',
      consent: { push: 'opted_in' },
      addresses: ['token-dead-1', 'token-live-2', 'not a token'],
    });
    await expect(runSendChecks(push)).resolves.toEqual({
      allowed: true,
      addresses: ['token-live-2'],
    });
    await expect(runSendChecks({ ...push, addresses: ['token-dead-1'] })).resolves.toMatchObject({
      check: 'suppression',
      reason: 'suppressed',
    });
  });

  it('refuses an unknown topic and an opt-in topic nobody subscribed to', async () => {
    const clean = input({ addresses: ['x@example.com'] });
    await expect(runSendChecks({ ...clean, topic: 'typo' })).resolves.toMatchObject({
      reason: 'unknown_topic',
    });
    await expect(runSendChecks({ ...clean, topic: 'beta' })).resolves.toMatchObject({
      reason: 'topic_not_opted_in',
    });
  });

  it('fails closed: a list it cannot read throws instead of allowing', async () => {
    await database.db.execute(sql`alter table suppressions rename to suppressions_moved`);
    try {
      await expect(runSendChecks(input({ addresses: ['x@example.com'] }))).rejects.toThrow();
    } finally {
      await database.db.execute(sql`alter table suppressions_moved rename to suppressions`);
    }
    await expect(runSendChecks(input({ addresses: ['x@example.com'] }))).resolves.toMatchObject({
      allowed: true,
    });
  });
});

describe('consent by channel and message kind', () => {
  const ask = (question: Partial<ConsentQuestion>): boolean =>
    consentAllows({
      channel: 'email',
      messageKind: 'marketing',
      consent: {},
      emailMarketingDefault: 'opted_in',
      ...question,
    });
  const everythingOff = { email: 'opted_out', sms: 'opted_out', push: 'opted_out' } as const;

  it('email: an opt-out stops marketing only; no choice follows the default', () => {
    expect(ask({})).toBe(true);
    expect(ask({ emailMarketingDefault: 'opted_out' })).toBe(false);
    expect(ask({ consent: { email: 'opted_out' } })).toBe(false);
    expect(ask({ consent: { email: 'opted_out' }, messageKind: 'transactional' })).toBe(true);
  });

  it('sms and push: marketing needs an opt-in, an opt-out stops everything', () => {
    for (const channel of ['sms', 'push'] as const) {
      expect(ask({ channel })).toBe(false);
      expect(ask({ channel, consent: { [channel]: 'opted_in' } })).toBe(true);
      expect(ask({ channel, messageKind: 'transactional' })).toBe(true);
      expect(
        ask({ channel, messageKind: 'transactional', consent: { [channel]: 'opted_out' } }),
      ).toBe(false);
    }
  });

  it('in-app: no opt-in needed, but no marketing once every channel is off', () => {
    expect(ask({ channel: 'in_app' })).toBe(true);
    expect(ask({ channel: 'in_app', consent: { email: 'opted_out' } })).toBe(true);
    expect(ask({ channel: 'in_app', consent: everythingOff })).toBe(false);
    expect(ask({ channel: 'in_app', consent: everythingOff, messageKind: 'transactional' })).toBe(
      true,
    );
  });

  it("webhook: the deployment's own integration, so channel consent does not apply", () => {
    expect(ask({ channel: 'webhook', consent: everythingOff })).toBe(true);
  });
});
