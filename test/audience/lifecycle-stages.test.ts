import { asc, eq, sql } from 'drizzle-orm';
import { audienceUpkeep } from '../../src/audience/audience-upkeep';
import { upsertCustomer } from '../../src/customers';
import { loadProfileSnapshot } from '../../src/customers/load-profile';
import { customerLifecycle, events, lifecycleDueChecks } from '../../src/db/schema';
import type { JsonObject } from '../../src/journeys/run-types';
import { lifecycleStages } from '../../src/lifecycle/stages';
import { requestProfileChecks } from '../../src/audience';
import { recordEvents } from '../../src/routing';
import type { AudienceEvent } from '../../src/routing/types';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { builtInCatalogue } from '../../src/scores';

/**
 * Lifecycle stages kept live by the audience pass, on real Postgres with the router's clock in
 * the test's hand: a purchase moves a customer along the stages with a lifecycle_changed event
 * for each move, a profile change is re-checked through the due index, and a window edge moves a
 * stage with no event at all.
 */

const DAY = 86_400_000;
const START = Date.parse('2026-06-01T12:00:00.000Z');
let now = START;
const clock = () => new Date(now);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

const audience = () =>
  audienceUpkeep({ db: database.db, emailMarketingDefault: 'opted_in', clock });

/** Due re-checks until none is due at the current clock. */
async function drain(part: ReturnType<typeof audience>) {
  for (let pass = 0; pass < 20; pass += 1) if ((await part.upkeep()) === 0) return;
  throw new Error('due re-checks kept coming');
}

async function store(id: string, customerId: string, type: string, properties: JsonObject = {}) {
  await recordEvents(
    database.db,
    [{ id, customerId, type, properties, occurredAt: new Date(now).toISOString() }],
    { now: new Date(now), source: 'api' },
  );
  const [row] = await database.db.select().from(events).where(eq(events.id, id));
  if (!row) throw new Error(`event ${id} not stored`);
  const batch: AudienceEvent[] = [row];
  return batch;
}

async function stage(customerId: string) {
  const [row] = await database.db
    .select()
    .from(customerLifecycle)
    .where(eq(customerLifecycle.customerId, customerId));
  return row ? { stage: row.stage, since: row.since.toISOString() } : null;
}

async function stageEvents(customerId: string) {
  const rows = await database.db
    .select({ properties: events.properties, occurredAt: events.occurredAt })
    .from(events)
    .where(sql`${events.customerId} = ${customerId} and ${events.type} = 'lifecycle_changed'`)
    .orderBy(asc(events.seq));
  return rows.map((row) => ({
    from: row.properties.from,
    to: row.properties.to,
    at: row.occurredAt.toISOString(),
  }));
}

it('the canonical stages are ordered, with aliases naming one stage each', () => {
  expect(lifecycleStages.map((s) => s.id)).toEqual([
    'churned',
    'at_risk',
    'vip',
    'active',
    'new_customer',
    'prospect',
  ]);
  const names = lifecycleStages.flatMap((s) => [s.id, ...s.aliases]);
  expect(new Set(names).size).toBe(names.length);
});

it('purchases move a customer along the stages, each move an event; a window edge moves it with none', async () => {
  now = START;
  const part = audience();
  await database.db.transaction(async (tx) => {
    await upsertCustomer(tx, 'ada', {});
    await requestProfileChecks(tx, ['ada'], clock());
  });
  // The first stage of a new customer comes through the due index, and is no transition.
  expect(await part.upkeep()).toBeGreaterThan(0);
  expect(await stage('ada')).toEqual({ stage: 'prospect', since: new Date(START).toISOString() });
  expect(await stageEvents('ada')).toEqual([]);
  expect(await loadProfileSnapshot(database.db, 'ada', builtInCatalogue)).toMatchObject({
    lifecycle_stage: 'prospect',
  });

  now = START + 1_000;
  await part.forEvents(await store('ada-1', 'ada', 'purchase', { total: 40 }));
  expect(await stage('ada')).toMatchObject({ stage: 'new_customer' });

  now = START + 2_000;
  await part.forEvents(await store('ada-2', 'ada', 'purchase', { total: 60 }));
  expect(await stage('ada')).toMatchObject({ stage: 'active' });

  now = START + 3_000;
  await part.forEvents(await store('ada-3', 'ada', 'purchase', { total: 950 }));
  // The profile rules (first in the pass) made lifetime_value 1,050 before the stages looked.
  expect(await stage('ada')).toEqual({
    stage: 'vip',
    since: new Date(START + 3_000).toISOString(),
  });

  // Each purchase leaving the 60-day window is a due re-check (the earlier ones change nothing);
  // the last one leaving it moves the stage, with no new event.
  const edge = START + 3_000 + 60 * DAY;
  now = edge - 1;
  await drain(part);
  expect(await stage('ada')).toMatchObject({ stage: 'vip' });
  const [due] = await database.db
    .select()
    .from(lifecycleDueChecks)
    .where(eq(lifecycleDueChecks.customerId, 'ada'));
  expect(due?.dueAt.getTime()).toBe(edge);
  now = edge;
  expect(await part.upkeep()).toBe(1);
  expect(await stage('ada')).toMatchObject({ stage: 'at_risk' });

  expect(await stageEvents('ada')).toEqual([
    { from: 'prospect', to: 'new_customer', at: new Date(START + 1_000).toISOString() },
    { from: 'new_customer', to: 'active', at: new Date(START + 2_000).toISOString() },
    { from: 'active', to: 'vip', at: new Date(START + 3_000).toISOString() },
    { from: 'vip', to: 'at_risk', at: new Date(START + 3_000 + 60 * DAY).toISOString() },
  ]);
  // Handing the same batch in again changes nothing.
  const [last] = await database.db.select().from(events).where(eq(events.id, 'ada-3'));
  expect(await part.forEvents([last!])).toBe(0);
  expect(await stageEvents('ada')).toHaveLength(4);
});

it('a profile change where no event says so is re-checked through the due index', async () => {
  now = START;
  const part = audience();
  await database.db.transaction(async (tx) => {
    await upsertCustomer(tx, 'bo', {});
    await requestProfileChecks(tx, ['bo'], clock());
  });
  await part.upkeep();
  await part.forEvents(await store('bo-1', 'bo', 'purchase', { total: 10 }));
  expect(await stage('bo')).toMatchObject({ stage: 'new_customer' });
  await database.db.transaction(async (tx) => {
    await upsertCustomer(tx, 'bo', { attributes: { lifetime_value: 5_000 } });
    await requestProfileChecks(tx, ['bo'], clock());
  });
  await part.upkeep();
  expect(await stage('bo')).toMatchObject({ stage: 'vip' });
  expect((await stageEvents('bo')).map((e) => [e.from, e.to])).toEqual([
    ['prospect', 'new_customer'],
    ['new_customer', 'vip'],
  ]);
});
