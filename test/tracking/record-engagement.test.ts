import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { customers, deliveries, events } from '../../src/db/schema';
import { recordEngagement, type EngagementDeps } from '../../src/tracking/record-engagement';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let deps: EngagementDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = { db: db.db, excludeMachineEngagement: true };
});
afterAll(async () => {
  await db.close();
});

let customerId: string;
let deliveryId: string;
beforeEach(async () => {
  customerId = `cust-${randomUUID()}`;
  deliveryId = randomUUID();
  await db.db.insert(customers).values({ id: customerId });
  await db.db.insert(deliveries).values({
    id: deliveryId,
    deliveryKey: `key-${deliveryId}`,
    customerId,
    journeyId: 'reengage',
    journeyVersion: 2,
    workflowId: `journey:reengage:${customerId}`,
    stepId: 'email',
    channel: 'email',
    messageKind: 'marketing',
    status: 'sent',
  });
});

const at = (iso: string) => new Date(iso);
const stored = () => db.db.select().from(events).where(eq(events.customerId, customerId));

it('stores one open per minute: a burst of pixel loads is one event', async () => {
  const open = (iso: string) =>
    recordEngagement(deps, { deliveryId, type: 'email_opened', flags: {}, occurredAt: at(iso) });
  expect(await open('2025-03-01T10:00:05Z')).toMatchObject({ recorded: true, duplicate: false });
  expect(await open('2025-03-01T10:00:50Z')).toMatchObject({ recorded: true, duplicate: true });
  expect(await open('2025-03-01T10:01:01Z')).toMatchObject({ recorded: true, duplicate: false });
  const rows = await stored();
  expect(rows.map((r) => r.id).sort()).toEqual([
    `open:${deliveryId}:${Math.floor(Date.parse('2025-03-01T10:00:00Z') / 60_000)}`,
    `open:${deliveryId}:${Math.floor(Date.parse('2025-03-01T10:01:00Z') / 60_000)}`,
  ]);
  expect(rows[0]?.properties).toEqual({
    deliveryId,
    journeyId: 'reengage',
    stepId: 'email',
    channel: 'email',
  });
});

it('keeps a machine open apart from the real open in the same minute, and does not route it', async () => {
  const machine = await recordEngagement(deps, {
    deliveryId,
    type: 'email_opened',
    flags: { machineOpen: true },
    occurredAt: at('2025-03-01T10:00:01Z'),
  });
  const real = await recordEngagement(deps, {
    deliveryId,
    type: 'email_opened',
    flags: {},
    occurredAt: at('2025-03-01T10:00:30Z'),
  });
  expect(machine).toMatchObject({ recorded: true, duplicate: false, excluded: true });
  expect(real).toMatchObject({ recorded: true, duplicate: false, excluded: false });
  const rows = await stored();
  expect(rows.map((r) => r.flags)).toEqual(expect.arrayContaining([{ machineOpen: true }, {}]));
  // The machine open leaves the outbox as it is stored; the real one waits for the router.
  const byId = new Map(rows.map((r) => [r.id, r]));
  expect(byId.get(machine.recorded ? machine.eventId : '')?.routedAt).toBeInstanceOf(Date);
  expect(byId.get(real.recorded ? real.eventId : '')?.routedAt).toBeNull();
});

it('stores one click per link per second', async () => {
  const click = (linkIndex: number, iso: string) =>
    recordEngagement(deps, {
      deliveryId,
      type: 'email_clicked',
      linkIndex,
      flags: {},
      occurredAt: at(iso),
    });
  await click(0, '2025-03-01T10:00:05.100Z');
  expect(await click(0, '2025-03-01T10:00:05.900Z')).toMatchObject({ duplicate: true });
  expect(await click(1, '2025-03-01T10:00:05.900Z')).toMatchObject({ duplicate: false });
  expect((await stored()).map((r) => r.properties.linkIndex).sort()).toEqual([0, 1]);
});

it('records nothing for an unknown delivery', async () => {
  const outcome = await recordEngagement(deps, {
    deliveryId: randomUUID(),
    type: 'email_clicked',
    linkIndex: 0,
    flags: {},
    occurredAt: new Date(),
  });
  expect(outcome).toEqual({ recorded: false, reason: 'unknown_delivery' });
  expect(await stored()).toEqual([]);
});
