import { eq, sql } from 'drizzle-orm';
import { audienceUpkeep } from '../../src/audience/audience-upkeep';
import { installBuiltInSegments } from '../../src/audience/install-built-ins';
import { readCustomer, upsertCustomer } from '../../src/customers';
import { customerScores, customers, events } from '../../src/db/schema';
import { addSuppression, isSuppressed } from '../../src/guardrails/suppression';
import { setTopicChoice, topicStates, upsertTopic } from '../../src/guardrails/topics';
import { registerToken, listTokens } from '../../src/channels/device-tokens';
import { mergeCustomers, survivorOf, unmergeCustomers } from '../../src/identity';
import { storeAudienceBatch, type BatchItem } from '../support/audience-batch';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * mergeCustomers and unmergeCustomers on real Postgres: what moves, what the stricter choice is,
 * what stays, and that an unmerge gives each customer back what it had.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await installBuiltInSegments(database.db);
  await upsertTopic(database.db, { id: 'news', name: 'News', description: null, mode: 'opt_out' });
  await upsertTopic(database.db, { id: 'deals', name: 'Deals', description: null, mode: 'opt_in' });
});
afterAll(async () => database?.close());

const upkeep = () => audienceUpkeep({ db: database.db, emailMarketingDefault: 'opted_in' });

const store = (items: BatchItem[]) => storeAudienceBatch(database.db, items);

async function row(id: string) {
  const [found] = await database.db.select().from(customers).where(eq(customers.id, id));
  return found!;
}

/** The customer's own events (not the segment and stage moves the audience pass wrote). */
const eventIds = async (customerId: string) =>
  (
    await database.db
      .select({ id: events.id })
      .from(events)
      .where(
        sql`${events.customerId} = ${customerId} and ${events.type} not like 'segment\_%' and ${events.type} not like 'lifecycle\_%' and ${events.type} <> 'customer_merged'`,
      )
  )
    .map((r) => r.id)
    .sort();

/** The stored engagement value (as of its newest contribution; they are seconds old here). */
const engagement = async (customerId: string) =>
  (
    await database.db
      .select({ value: customerScores.value })
      .from(customerScores)
      .where(
        sql`${customerScores.customerId} = ${customerId} and ${customerScores.scoreId} = 'engagement'`,
      )
  )[0]?.value ?? 0;

const topicChoices = async (customerId: string) =>
  Object.fromEntries(
    (await topicStates(database.db, customerId)).map((t) => [t.topic.id, t.choice]),
  );

const merge = (from: string, into: string) =>
  mergeCustomers(database.db, { from, into, reason: 'manual', causedBy: 'test' });

it('keeps the stricter consent per channel and the stricter topic choice', async () => {
  await upsertCustomer(database.db, 'c-anon', {
    consent: { email: 'opted_out', sms: 'opted_in' },
    attributes: { first_name: 'Ann', plan: 'free' },
  });
  await upsertCustomer(database.db, 'c-user', {
    email: 'ann@example.com',
    consent: { email: 'opted_in' },
    attributes: { plan: 'pro', city: '' },
  });
  await setTopicChoice(database.db, 'c-anon', 'news', 'unsubscribed');
  await setTopicChoice(database.db, 'c-anon', 'deals', 'subscribed');
  await setTopicChoice(database.db, 'c-user', 'news', 'subscribed');

  const { mergeId } = await merge('c-anon', 'c-user');
  const merged = await row('c-user');
  expect(merged.consent).toEqual({ email: 'opted_out', sms: 'opted_in' });
  expect(merged.attributes).toEqual({ plan: 'pro', city: '', first_name: 'Ann' });
  expect(merged.email).toBe('ann@example.com');
  expect(await topicChoices('c-user')).toEqual({ news: 'unsubscribed', deals: 'subscribed' });
  // The merged-away id reads as the survivor.
  expect((await readCustomer(database.db, 'c-anon'))?.id).toBe('c-user');

  await unmergeCustomers(database.db, mergeId);
  expect((await row('c-user')).consent).toEqual({ email: 'opted_in' });
  expect((await row('c-user')).attributes).toEqual({ plan: 'pro', city: '' });
  expect((await row('c-anon')).consent).toEqual({ email: 'opted_out', sms: 'opted_in' });
  expect(await topicChoices('c-user')).toEqual({ news: 'subscribed', deals: null });
  expect((await readCustomer(database.db, 'c-anon'))?.id).toBe('c-anon');
});

it('leaves both customers’ addresses suppressed', async () => {
  await upsertCustomer(database.db, 's-from', { email: 'old@example.com', phone: '+14155550111' });
  await upsertCustomer(database.db, 's-into', { email: 'new@example.com' });
  await addSuppression(database.db, {
    channel: 'email',
    address: 'old@example.com',
    reason: 'hard_bounce',
    source: 'test',
  });
  await addSuppression(database.db, {
    channel: 'email',
    address: 'new@example.com',
    reason: 'complaint',
    source: 'test',
  });
  await merge('s-from', 's-into');
  const survivor = await row('s-into');
  expect(survivor.email).toBe('new@example.com');
  expect(survivor.phone).toBe('+14155550111');
  for (const address of ['old@example.com', 'new@example.com']) {
    await expect(isSuppressed(database.db, 'email', address)).resolves.toMatchObject({
      suppressed: true,
    });
  }
});

it('moves events, devices and score inputs so a replayed purchase counts once', async () => {
  await upsertCustomer(database.db, 'p-anon', {});
  await upsertCustomer(database.db, 'p-user', {});
  await registerToken(database.db, {
    customerId: 'p-anon',
    token: 'device-token-p-anon',
    platform: 'ios',
  });
  const audience = upkeep();
  await audience.forEvents(
    await store([
      { id: 'p-order-1', customerId: 'p-anon', type: 'purchase', properties: { total: 50 } },
      { id: 'p-open-1', customerId: 'p-anon', type: 'email_opened' },
    ]),
  );
  await audience.forEvents(
    await store([
      { id: 'p-order-2', customerId: 'p-user', type: 'purchase', properties: { total: 30 } },
    ]),
  );
  const { mergeId } = await merge('p-anon', 'p-user');
  expect(await eventIds('p-user')).toEqual(['p-open-1', 'p-order-1', 'p-order-2']);
  // The merge's own event, for the router to settle duplicate runs with (src/routing/merged-runs.ts).
  const mergeEvents = await database.db
    .select({ id: events.id, source: events.source, properties: events.properties })
    .from(events)
    .where(sql`${events.customerId} = 'p-user' and ${events.type} = 'customer_merged'`);
  expect(mergeEvents).toEqual([
    {
      id: `customer_merged:${mergeId}`,
      source: 'identity',
      properties: { merge_id: mergeId, merged_customer_id: 'p-anon' },
    },
  ]);
  expect((await listTokens(database.db, 'p-user')).map((t) => t.token)).toEqual([
    'device-token-p-anon',
  ]);
  expect((await row('p-user')).attributes).toMatchObject({ lifetime_value: 80, orders_count: 2 });

  // The anonymous purchase sent again, by either id, and its batch handed in again: no change.
  const replayed = await store([
    { id: 'p-order-1', customerId: 'p-anon', type: 'purchase', properties: { total: 50 } },
    { id: 'p-order-1', customerId: 'p-user', type: 'purchase', properties: { total: 50 } },
  ]);
  await audience.forEvents(replayed);
  expect((await row('p-user')).attributes).toMatchObject({ lifetime_value: 80, orders_count: 2 });
  // Engagement: both purchases (10 each) and the open (1), counted once each, for the survivor.
  expect(await engagement('p-user')).toBeCloseTo(21, 2);
  expect(await engagement('p-anon')).toBe(0);
  await audience.upkeep();

  await unmergeCustomers(database.db, mergeId);
  expect(await eventIds('p-anon')).toEqual(['p-open-1', 'p-order-1']);
  expect(await eventIds('p-user')).toEqual(['p-order-2']);
  expect((await row('p-user')).attributes).toMatchObject({ lifetime_value: 30, orders_count: 1 });
  expect((await row('p-anon')).attributes).toMatchObject({ lifetime_value: 50, orders_count: 1 });
  expect(await engagement('p-anon')).toBeCloseTo(11, 2);
  expect(await engagement('p-user')).toBeCloseTo(10, 2);
  expect((await listTokens(database.db, 'p-anon')).map((t) => t.token)).toEqual([
    'device-token-p-anon',
  ]);
  expect(await survivorOf(database.db, ['p-anon'])).toEqual(new Map());
});

it('keeps an opt-out given after the merge on both customers when unmerged', async () => {
  await upsertCustomer(database.db, 'o-from', { consent: { sms: 'opted_in' } });
  await upsertCustomer(database.db, 'o-into', { consent: { sms: 'opted_in', email: 'opted_in' } });
  await setTopicChoice(database.db, 'o-into', 'deals', 'subscribed');
  const { mergeId } = await merge('o-from', 'o-into');
  await upsertCustomer(database.db, 'o-into', { consent: { sms: 'opted_out' } });
  await setTopicChoice(database.db, 'o-into', 'deals', 'unsubscribed');
  await unmergeCustomers(database.db, mergeId);
  expect((await row('o-into')).consent).toEqual({ sms: 'opted_out', email: 'opted_in' });
  expect((await row('o-from')).consent).toEqual({ sms: 'opted_out' });
  expect((await topicChoices('o-from')).deals).toBe('unsubscribed');
  expect((await topicChoices('o-into')).deals).toBe('unsubscribed');
});

it('refuses a merge it cannot make, naming the field', async () => {
  await upsertCustomer(database.db, 'r-1', {});
  await expect(merge('r-1', 'r-1')).rejects.toMatchObject({ code: 'same_customer', field: 'from' });
  await expect(merge('r-missing', 'r-1')).rejects.toMatchObject({
    code: 'customer_not_found',
    field: 'from',
  });
  await upsertCustomer(database.db, 'r-2', {});
  const { mergeId } = await merge('r-2', 'r-1');
  await expect(merge('r-2', 'r-1')).rejects.toMatchObject({
    code: 'customer_merged',
    field: 'from',
  });
  await unmergeCustomers(database.db, mergeId);
  await expect(unmergeCustomers(database.db, mergeId)).rejects.toMatchObject({
    code: 'merge_not_applied',
  });
});
