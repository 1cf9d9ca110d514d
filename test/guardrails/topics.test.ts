import { customers } from '../../src/db/schema';
import { setTopicChoice, topicAllows, topicStates, upsertTopic } from '../../src/guardrails/topics';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.insert(customers).values([{ id: 'ada' }, { id: 'bob' }]);
  await upsertTopic(database.db, {
    id: 'newsletter',
    name: 'Newsletter',
    description: null,
    mode: 'opt_out',
  });
  await upsertTopic(database.db, {
    id: 'beta',
    name: 'Beta programme',
    description: 'Early features',
    mode: 'opt_in',
  });
});
afterAll(async () => database.close());

describe('topics', () => {
  it('allows an opt_out topic until the customer unsubscribes', async () => {
    const db = database.db;
    await expect(topicAllows(db, 'ada', 'newsletter')).resolves.toEqual({ allowed: true });
    await expect(setTopicChoice(db, 'ada', 'newsletter', 'unsubscribed')).resolves.toEqual({
      previous: null,
    });
    await expect(topicAllows(db, 'ada', 'newsletter')).resolves.toEqual({
      allowed: false,
      reason: 'topic_unsubscribed',
    });
    await expect(topicAllows(db, 'bob', 'newsletter')).resolves.toEqual({ allowed: true });
  });

  it('allows an opt_in topic only after the customer subscribes', async () => {
    const db = database.db;
    await expect(topicAllows(db, 'bob', 'beta')).resolves.toEqual({
      allowed: false,
      reason: 'topic_not_opted_in',
    });
    await setTopicChoice(db, 'bob', 'beta', 'subscribed');
    await expect(topicAllows(db, 'bob', 'beta')).resolves.toEqual({ allowed: true });
    await expect(setTopicChoice(db, 'bob', 'beta', 'unsubscribed')).resolves.toEqual({
      previous: 'subscribed',
    });
    await expect(topicAllows(db, 'bob', 'beta')).resolves.toEqual({
      allowed: false,
      reason: 'topic_not_opted_in',
    });
  });

  it('refuses an unknown topic (fail closed)', async () => {
    await expect(topicAllows(database.db, 'bob', 'no-such-topic')).resolves.toEqual({
      allowed: false,
      reason: 'unknown_topic',
    });
  });

  it("lists every topic with the customer's effective state", async () => {
    const states = await topicStates(database.db, 'ada');
    expect(states.map((s) => [s.topic.id, s.choice, s.subscribed])).toEqual([
      ['beta', null, false],
      ['newsletter', 'unsubscribed', false],
    ]);
  });

  it('reports whether a topic upsert created it', async () => {
    const again = await upsertTopic(database.db, {
      id: 'beta',
      name: 'Beta',
      description: null,
      mode: 'opt_in',
    });
    expect(again.created).toBe(false);
    expect(again.row.name).toBe('Beta');
  });
});
