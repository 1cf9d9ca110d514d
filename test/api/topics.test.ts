/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any. */
import { CairnApiError, CairnClient, CairnValidationError } from '../../src/client';
import { eq } from 'drizzle-orm';
import { events } from '../../src/db/schema';
import { topicAllows } from '../../src/guardrails/topics';
import { API_KEY, auth, createHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  const res = await h.inject({
    method: 'PUT',
    url: '/v1/customers/ada',
    headers: auth,
    payload: {},
  });
  expect(res.statusCode).toBe(201);
});
afterAll(async () => h.close());

const putTopic = (id: string, payload: unknown) =>
  h.inject({ method: 'PUT', url: `/v1/topics/${id}`, headers: auth, payload });
const choose = (customer: string, topic: string, status: string) =>
  h.inject({
    method: 'PUT',
    url: `/v1/customers/${customer}/topics/${topic}`,
    headers: auth,
    payload: { status },
  });

describe('topics API', () => {
  it('creates (201) and updates (200) topics and lists them', async () => {
    const created = await putTopic('newsletter', { name: 'Newsletter', mode: 'opt_out' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      created: true,
      topic: {
        id: 'newsletter',
        name: 'Newsletter',
        description: null,
        mode: 'opt_out',
        createdAt: expect.any(String),
      },
    });
    const updated = await putTopic('newsletter', {
      name: 'Weekly newsletter',
      description: 'Every Monday',
      mode: 'opt_out',
    });
    expect(updated.statusCode).toBe(200);
    expect((await putTopic('beta', { name: 'Beta', mode: 'opt_in' })).statusCode).toBe(201);
    const list = await h.inject({ url: '/v1/topics', headers: auth });
    const { topics } = list.json() as { topics: { id: string; name: string }[] };
    expect(topics.map((t) => [t.id, t.name])).toEqual([
      ['beta', 'Beta'],
      ['newsletter', 'Weekly newsletter'],
    ]);
  });

  it('validates topic ids and bodies, naming the field', async () => {
    const badId = await putTopic('Bad Id', { name: 'x', mode: 'opt_in' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.issues[0].path).toBe('id');
    const badMode = await putTopic('ok', { name: 'x', mode: 'sometimes' });
    expect(badMode.statusCode).toBe(400);
    expect(badMode.json().error.issues[0].path).toBe('mode');
  });

  it('shows the effective state per topic and records choices', async () => {
    const initial = await h.inject({ url: '/v1/customers/ada/topics', headers: auth });
    expect(initial.json().topics).toEqual([
      { topicId: 'beta', name: 'Beta', mode: 'opt_in', choice: null, subscribed: false },
      {
        topicId: 'newsletter',
        name: 'Weekly newsletter',
        mode: 'opt_out',
        choice: null,
        subscribed: true,
      },
    ]);
    const subscribed = await choose('ada', 'beta', 'subscribed');
    expect(subscribed.statusCode).toBe(200);
    expect(subscribed.json()).toEqual(
      expect.objectContaining({ topicId: 'beta', choice: 'subscribed', subscribed: true }),
    );
    await choose('ada', 'newsletter', 'unsubscribed');
    await expect(topicAllows(h.db.db, 'ada', 'beta')).resolves.toEqual({ allowed: true });
    await expect(topicAllows(h.db.db, 'ada', 'newsletter')).resolves.toEqual({
      allowed: false,
      reason: 'topic_unsubscribed',
    });
  });

  it('answers 404 for an unknown customer or topic', async () => {
    const noCustomer = await choose('nobody', 'beta', 'subscribed');
    expect(noCustomer.statusCode).toBe(404);
    expect(noCustomer.json().error.code).toBe('customer_not_found');
    const noTopic = await choose('ada', 'missing', 'subscribed');
    expect(noTopic.statusCode).toBe(404);
    expect(noTopic.json().error).toEqual(
      expect.objectContaining({
        code: 'topic_not_found',
        issues: [expect.objectContaining({ path: 'topicId' })],
      }),
    );
    expect((await h.inject({ url: '/v1/customers/nobody/topics', headers: auth })).statusCode).toBe(
      404,
    );
    const badStatus = await choose('ada', 'beta', 'maybe');
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().error.issues[0].path).toBe('status');
  });
});

describe('typed client', () => {
  it('manages topics, choices and suppressions', async () => {
    const cairn = new CairnClient({ baseUrl: h.baseUrl, apiKey: API_KEY });
    await cairn.upsertTopic('offers', { name: 'Offers', mode: 'opt_in' });
    expect((await cairn.listTopics()).topics.map((t) => t.id)).toContain('offers');
    await expect(cairn.setCustomerTopic('ada', 'offers', 'subscribed')).resolves.toMatchObject({
      subscribed: true,
    });
    const mine = await cairn.listCustomerTopics('ada');
    expect(mine.topics.find((t) => t.topicId === 'offers')?.choice).toBe('subscribed');
    const added = await cairn.addSuppression({
      channel: 'email',
      address: 'Client@Example.com',
      reason: 'manual',
    });
    expect(added.suppression.address).toBe('client@example.com');
    expect((await cairn.listSuppressions({ channel: 'email' })).suppressions).toHaveLength(1);
    await cairn.removeSuppression('email', 'client@example.com');
    await expect(cairn.removeSuppression('email', 'client@example.com')).rejects.toBeInstanceOf(
      CairnApiError,
    );
    await expect(
      cairn.addSuppression({ channel: 'sms', address: 'nope', reason: 'manual' }),
    ).rejects.toBeInstanceOf(CairnValidationError);
  });
});

describe('topic choices through the API', () => {
  it('store an unsubscribe event when a choice changes, so running journeys hear of it', async () => {
    await putTopic('deals', { name: 'Deals', mode: 'opt_out' });
    expect((await choose('ada', 'deals', 'unsubscribed')).statusCode).toBe(200);
    expect((await choose('ada', 'deals', 'unsubscribed')).statusCode).toBe(200);
    const stored = await h.db.db.select().from(events).where(eq(events.customerId, 'ada'));
    const topicEvents = stored.filter((e) => e.properties.topic === 'deals');
    expect(topicEvents.map((e) => e.type)).toEqual(['unsubscribe']);
  });
});
