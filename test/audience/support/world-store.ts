import { toProfileSnapshot } from '../../../src/customers/profile-snapshot';
import { ENGAGEMENT_EVENT_TYPES } from '../../../src/customers/engagement';
import { sql } from 'drizzle-orm';
import type { Database } from '../../../src/db/database';
import {
  customerScores,
  rfmScores,
  customerLifecycle,
  customerTopics,
  customers,
  deviceTokens,
  events,
  segmentMemberships,
  segments,
  suppressions,
  topics,
} from '../../../src/db/schema';
import type { CustomerFacts } from '../../../src/segments/customer-facts';
import { NOW, SEGMENT_IDS, TOPICS, type World, type WorldCustomer } from './segment-world';

async function inChunks<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/** Writes the world with multi-row inserts. */
export async function storeWorld(db: Database, world: World): Promise<void> {
  const list = world.customers;
  await db
    .insert(topics)
    .values(Object.entries(TOPICS).map(([id, mode]) => ({ id, name: id, mode })));
  await db
    .insert(segments)
    .values(SEGMENT_IDS.map((id) => ({ id, name: id, kind: 'manual' as const, activeVersion: 1 })));
  await inChunks(list, 500, (chunk) =>
    db.insert(customers).values(
      chunk.map((c) => ({
        id: c.id,
        email: c.email,
        phone: c.phone,
        timeZone: c.timeZone,
        locale: c.locale,
        attributes: c.attributes,
        consent: c.consent,
      })),
    ),
  );
  const rows = list.flatMap((c) =>
    c.events.map((e) => ({
      id: e.id,
      customer_id: c.id,
      type: e.type,
      occurred_at: new Date(e.occurredAt).toISOString(),
      properties: e.properties,
      flags: e.flags,
    })),
  );
  // One JSON parameter per chunk: drizzle's row-by-row parameters are slow at this size.
  await inChunks(rows, 5000, (chunk) =>
    db.execute(sql`insert into ${events} (id, customer_id, type, occurred_at, properties, flags)
      select id, customer_id, type, occurred_at, coalesce(properties, '{}'), flags
      from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb)
        as x(id text, customer_id text, type text, occurred_at timestamptz, properties jsonb, flags jsonb)`),
  );
  const tokens = list.flatMap((c) =>
    c.tokens.map((token) => ({ token, customerId: c.id, platform: 'ios' as const })),
  );
  await inChunks(tokens, 1000, (chunk) => db.insert(deviceTokens).values(chunk));
  const choices = list.flatMap((c) =>
    Object.entries(c.topicChoices).map(([topicId, status]) => ({
      customerId: c.id,
      topicId,
      status,
    })),
  );
  await inChunks(choices, 1000, (chunk) => db.insert(customerTopics).values(chunk));
  const members = list.flatMap((c) =>
    c.memberships.map((m) => ({
      segmentId: m.segmentId,
      customerId: c.id,
      version: 1,
      enteredAt: new Date(NOW - 86_400_000),
      exitedAt: m.current ? null : new Date(NOW - 3_600_000),
    })),
  );
  await inChunks(members, 1000, (chunk) => db.insert(segmentMemberships).values(chunk));
  const scores = list.flatMap((c) =>
    c.scores.map((score) => ({
      customerId: c.id,
      scoreId: 'engagement',
      version: score.version,
      value: score.value,
      asOf: new Date(score.asOf),
      decayPerDay: 0.95,
    })),
  );
  await inChunks(scores, 1000, (chunk) => db.insert(customerScores).values(chunk));
  const cells = list.flatMap(({ id, rfm }) =>
    rfm === null
      ? []
      : [
          {
            customerId: id,
            scoreId: 'rfm',
            version: rfm.version,
            ...{ lastPurchaseAt: new Date(NOW - 86_400_000), purchases: 1, monetary: 1 },
            ...{ r: rfm.r, f: rfm.f, m: rfm.m },
            cell: `${rfm.r}${rfm.f}${rfm.m}`,
            value: rfm.r + rfm.f + rfm.m,
            cellSince: new Date(NOW - 86_400_000),
          },
        ],
  );
  await inChunks(cells, 1000, (chunk) => db.insert(rfmScores).values(chunk));
  const stages = list.flatMap((c) =>
    c.lifecycleStage === null
      ? []
      : [{ customerId: c.id, stage: c.lifecycleStage, since: new Date(NOW - 86_400_000) }],
  );
  await inChunks(stages, 1000, (chunk) => db.insert(customerLifecycle).values(chunk));
  const suppressed = world.suppressed.map((s) => ({
    ...s,
    reason: 'manual' as const,
    source: 'api',
  }));
  await inChunks(suppressed, 1000, (chunk) => db.insert(suppressions).values(chunk));
  // Fresh tables have no statistics: without them the planner scans events once per customer.
  await db.execute(sql`analyze`);
}

const suppressedSets = new WeakMap<World, Set<string>>();

function suppressedSet(world: World): Set<string> {
  const known = suppressedSets.get(world);
  if (known) return known;
  const set = new Set(world.suppressed.map((s) => `${s.channel}:${s.address}`));
  suppressedSets.set(world, set);
  return set;
}

const ENGAGEMENT = new Set(ENGAGEMENT_EVENT_TYPES);

/** The evaluator's facts for a world customer, gathered as the send path and snapshot do. */
export function factsOf(world: World, c: WorldCustomer): CustomerFacts {
  const suppressed = suppressedSet(world);
  const engagedAt = c.events.filter((e) => ENGAGEMENT.has(e.type)).map((e) => e.occurredAt);
  // btrim: spaces only, as the SQL of the send path trims.
  const emailAddress = c.email?.replace(/^ +| +$/g, '').toLowerCase();
  return {
    profile: toProfileSnapshot({
      id: c.id,
      timeZone: c.timeZone,
      locale: c.locale,
      hasEmail: Boolean(c.email),
      hasPhone: Boolean(c.phone),
      consent: c.consent,
      attributes: c.attributes,
      lastEngagedAt: engagedAt.length > 0 ? new Date(Math.max(...engagedAt)) : null,
      lifecycleStage: c.lifecycleStage,
    }),
    events: c.events,
    email: { present: c.email !== null, suppressed: suppressed.has(`email:${emailAddress}`) },
    sms: { present: c.phone !== null, suppressed: suppressed.has(`sms:${c.phone}`) },
    pushTokens: c.tokens.map((token) => ({ suppressed: suppressed.has(`push:${token}`) })),
    consent: c.consent,
    topics: Object.fromEntries(
      Object.entries(TOPICS).map(([id, mode]) => [
        id,
        { mode, choice: c.topicChoices[id] ?? null },
      ]),
    ),
    segments: new Set(c.memberships.filter((m) => m.current).map((m) => m.segmentId)),
    // As the profile statement reads them: the current version's row only.
    scores: Object.fromEntries([
      ...c.scores
        .filter((score) => score.version === 1)
        .map((score) => ['engagement', { value: score.value, asOf: score.asOf }] as const),
      ...(c.rfm?.version === 1
        ? [['rfm', { value: c.rfm.r + c.rfm.f + c.rfm.m, asOf: NOW - 3_600_000 }] as const]
        : []),
    ]),
    lifecycleStage: c.lifecycleStage,
  };
}
