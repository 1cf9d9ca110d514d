import { customers, customerTopics, suppressions, topics } from '../../src/db/schema';
import { runSendChecks, type SendCheckInput } from '../../src/guardrails/send-checks';
import { readSendState, type SendState } from '../../src/guardrails/send-state';
import { suppressedAddresses } from '../../src/guardrails/suppression';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('the send state, read in one statement', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(customers).values([
      { id: 'ann', email: ' Ann@Example.com', phone: '+447700900001' },
      // A tab SQL's btrim leaves and JavaScript's trim removes: the normalisations disagree.
      { id: 'tab', email: '\ttab@example.com' },
      { id: 'clean', email: 'clean@example.com' },
    ]);
    await database.db.insert(suppressions).values([
      { channel: 'email', address: 'ann@example.com', reason: 'hard_bounce', source: 'api' },
      { channel: 'email', address: 'tab@example.com', reason: 'complaint', source: 'api' },
      { channel: 'sms', address: '+447700900001', reason: 'manual', source: 'api' },
    ]);
    await database.db.insert(topics).values([
      { id: 'deals', name: 'Deals', mode: 'opt_out' },
      { id: 'beta', name: 'Beta', mode: 'opt_in' },
    ]);
    await database.db
      .insert(customerTopics)
      .values({ customerId: 'clean', topicId: 'beta', status: 'subscribed' });
  });

  afterAll(async () => {
    await database?.close();
  });

  const read = (customerId: string, overrides: Partial<Parameters<typeof readSendState>[1]> = {}) =>
    readSendState(database.db, {
      customerId,
      channel: 'email',
      messageKind: 'marketing',
      ...overrides,
    });

  function checkInput(state: SendState, address: string): SendCheckInput {
    return {
      db: database.db,
      customerId: state.customer.id,
      channel: 'email',
      messageKind: 'transactional',
      consent: state.customer.consent,
      emailMarketingDefault: 'opted_in',
      suppressionChannel: 'email',
      addresses: [address],
      known: { suppression: state.suppression, topic: state.topic },
    };
  }

  it('reads the customer with the suppression of their own address', async () => {
    const ann = await read('ann');
    expect(ann?.customer).toMatchObject({ id: 'ann', email: ' Ann@Example.com' });
    expect(ann?.suppression).toEqual({
      channel: 'email',
      address: 'ann@example.com',
      suppressed: true,
    });
    await expect(read('ann', { channel: 'sms' })).resolves.toMatchObject({
      suppression: { channel: 'sms', address: '+447700900001', suppressed: true },
    });
    await expect(read('clean')).resolves.toMatchObject({
      suppression: { address: 'clean@example.com', suppressed: false },
    });
    await expect(read('ann', { channel: 'webhook' })).resolves.toMatchObject({
      suppression: null,
    });
    await expect(read('nobody')).resolves.toBeNull();
  });

  it('decides the topic for marketing only, unknown topics refused', async () => {
    await expect(read('clean', { topic: 'beta' })).resolves.toMatchObject({
      topic: { allowed: true },
    });
    await expect(read('ann', { topic: 'beta' })).resolves.toMatchObject({
      topic: { allowed: false, reason: 'topic_not_opted_in' },
    });
    await expect(read('ann', { topic: 'deals' })).resolves.toMatchObject({
      topic: { allowed: true },
    });
    await expect(read('ann', { topic: 'typo' })).resolves.toMatchObject({
      topic: { allowed: false, reason: 'unknown_topic' },
    });
    await expect(
      read('ann', { topic: 'typo', messageKind: 'transactional' }),
    ).resolves.toMatchObject({ topic: null });
  });

  it('looks an address up again when the SQL normalisation is not the send check’s', async () => {
    const state = await read('tab');
    if (!state) throw new Error('customer missing');
    expect(state.suppression).toMatchObject({ suppressed: false });
    await expect(runSendChecks(checkInput(state, state.customer.email ?? ''))).resolves.toEqual({
      allowed: false,
      check: 'suppression',
      reason: 'suppressed',
    });
  });

  it('trusts the known verdict only for the address it was read for', async () => {
    const known = { channel: 'email' as const, address: 'clean@example.com', suppressed: true };
    const refused = await suppressedAddresses(
      database.db,
      'email',
      ['Clean@Example.com', 'ann@example.com', 'other@example.com'],
      known,
    );
    expect([...refused].sort()).toEqual(['Clean@Example.com', 'ann@example.com']);
  });
});
