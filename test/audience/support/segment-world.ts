import { ENGAGEMENT_EVENT_TYPES } from '../../../src/customers/engagement';
import type { JsonObject, JsonValue } from '../../../src/journeys/run-types';
import type { CustomerFacts, FactEvent } from '../../../src/segments/customer-facts';
import { Random } from './random';

/**
 * A seeded world of customers with everything a segment can read, held in memory (for the
 * evaluator's facts) and inserted into Postgres (for the SQL), so both see the same data.
 */

export const DAY = 86_400_000;
export const NOW = Date.parse('2026-03-01T12:00:00.000Z');

export const EVENT_TYPES = ['purchase', 'page_view', 'signup', 'cart_abandoned'];
export const ALL_EVENT_TYPES = [...EVENT_TYPES, ...ENGAGEMENT_EVENT_TYPES];
export const TOPICS = { newsletter: 'opt_out', offers: 'opt_in' } as const;
export const SEGMENT_IDS = ['vip', 'churn_risk'];
export const STAGE_IDS = ['prospect', 'active', 'vip'];

export interface WorldCustomer {
  id: string;
  email: string | null;
  phone: string | null;
  timeZone: string | null;
  locale: string | null;
  attributes: JsonObject;
  consent: CustomerFacts['consent'];
  events: (FactEvent & { id: string })[];
  tokens: string[];
  topicChoices: Record<string, 'subscribed' | 'unsubscribed'>;
  memberships: { segmentId: string; current: boolean }[];
  /** Stored engagement score rows (customer_scores): one of the current version, or another's. */
  scores: { version: number; value: number; asOf: number }[];
  /** A stored RFM cell (rfm_scores): r, f, m of the current version, or another's; null: none. */
  rfm: { version: number; r: number; f: number; m: number } | null;
  /** The stored lifecycle stage; null: no row. */
  lifecycleStage: string | null;
}

export interface World {
  customers: WorldCustomer[];
  suppressed: { channel: 'email' | 'sms' | 'push'; address: string }[];
}

/** Numbers, numeric strings (with JS whitespace) and look-alikes that are not numeric. */
export const NUMBERS: JsonValue[] = [
  0,
  1,
  2,
  5,
  10,
  42,
  99.5,
  100,
  250,
  1000,
  -3,
  -1.5,
  '42',
  ' 42 ',
  '\t7\n',
  '-1.5',
  '1000',
  '1.',
  '.5',
  '1e3',
  '0x10',
  '\u0663',
  'abc',
  '',
  true,
  null,
  [1, 2],
  { n: 1 },
];

/** Timestamps relative to NOW: ISO forms Date.parse reads oddly, epoch ms, and non-timestamps. */
export function timestamps(random: Random): JsonValue {
  const ms = NOW - random.int(-5, 400) * DAY - random.int(0, DAY);
  const iso = new Date(ms).toISOString();
  return random.pick<JsonValue>([
    iso,
    iso.slice(0, 10),
    iso.slice(0, 16),
    iso.slice(0, 19),
    `${iso.slice(0, 19)}+05:30`,
    `${iso.slice(0, 19)}-0800`,
    `${iso.slice(0, 19)}.123456Z`,
    `${iso.slice(0, 8)}30`,
    `${iso.slice(0, 8)}31T24:00`,
    `${iso.slice(0, 11)}24:00:00.001Z`,
    `${iso.slice(0, 5)}13-01`,
    `${iso.slice(0, 19)}+24:00`,
    ms,
    ms + 0.5,
    String(ms),
    'yesterday',
    null,
  ]);
}

const WORDS = ['pro', 'free', 'team', 'Pro', 'pro plan', 'books', 'games', 'vip', 'beta'];
const SCALARS: JsonValue[] = [...WORDS, 1, '1', true, 'true', null];

function attributes(random: Random): JsonObject {
  const all: JsonObject = {
    plan: random.pick(SCALARS),
    ltv: random.pick(NUMBERS),
    age: random.pick(NUMBERS),
    tags: random.some<JsonValue>(['vip', 'beta', 1, '2', null], 0.4),
    signed_up_at: timestamps(random),
    address: random.pick<JsonValue>([{ city: random.pick(SCALARS), zip: '75001' }, null, 'x']),
    items: [{ sku: random.pick(WORDS) }, { sku: random.pick(WORDS) }],
    verified: random.pick<JsonValue>([true, false, 'true', 0, null]),
    email: 'shadow@example.com',
    hasEmail: 'shadow',
  };
  return Object.fromEntries(Object.entries(all).filter(() => random.chance(0.6)));
}

function properties(random: Random): JsonObject {
  const all: JsonObject = {
    amount: random.pick(NUMBERS),
    sku: random.pick(WORDS),
    category: random.pick(SCALARS),
    tags: random.some<JsonValue>(['sale', 'new', 3, '3'], 0.5),
    at: timestamps(random),
    nested: { level: random.pick(NUMBERS) },
  };
  return Object.fromEntries(Object.entries(all).filter(() => random.chance(0.7)));
}

const FLAGS: (JsonObject | null)[] = [
  null,
  null,
  null,
  {},
  { machineOpen: true },
  { bot: true },
  { machineOpen: false },
  { bot: 'true' },
];

function customerEvents(random: Random, id: string): WorldCustomer['events'] {
  return Array.from({ length: random.int(0, 12) }, (_, i) => ({
    id: `${id}-e${i}`,
    type: random.pick(ALL_EVENT_TYPES),
    // Whole seconds mostly; a few land exactly on a window edge, some in the future.
    occurredAt:
      NOW - random.pick([random.int(-3, 120) * DAY, random.int(-DAY, 120 * DAY), 30 * DAY]),
    properties: properties(random),
    flags: random.pick(FLAGS),
  }));
}

function customer(random: Random, index: number): WorldCustomer {
  const id = `c${String(index).padStart(5, '0')}`;
  const email = random.pick([null, `${id}@example.com`, ` ${id.toUpperCase()}@Example.com `, '']);
  return {
    id,
    email,
    phone: random.chance(0.6) ? `+1415555${String(index).padStart(4, '0')}` : null,
    timeZone: random.pick([null, 'Europe/Paris', 'America/New_York']),
    locale: random.pick([null, 'fr-FR', 'en']),
    attributes: attributes(random),
    consent: Object.fromEntries(
      random
        .some(['email', 'sms', 'push'] as const, 0.6)
        .map((channel) => [channel, random.pick(['opted_in', 'opted_out'] as const)]),
    ),
    events: customerEvents(random, id),
    tokens: Array.from({ length: random.pick([0, 0, 1, 2]) }, (_, i) => `tok_${id}_${i}`),
    topicChoices: Object.fromEntries(
      random
        .some(Object.keys(TOPICS), 0.5)
        .map((topic) => [topic, random.pick(['subscribed', 'unsubscribed'] as const)]),
    ),
    memberships: random
      .some(SEGMENT_IDS, 0.4)
      .map((segmentId) => ({ segmentId, current: random.chance(0.7) })),
    scores: [],
    rfm: null,
    lifecycleStage: random.pick([null, ...STAGE_IDS]),
  };
}

function suppressionsOf(random: Random, list: WorldCustomer[]): World['suppressed'] {
  const rows: World['suppressed'] = [];
  for (const c of list) {
    if (c.email && random.chance(0.25)) {
      // Sometimes the raw form, which the normalised comparison must not take for the address.
      const address = random.chance(0.8) ? c.email.trim().toLowerCase() : c.email;
      if (address.trim() !== '') rows.push({ channel: 'email', address });
    }
    if (c.phone && random.chance(0.25)) rows.push({ channel: 'sms', address: c.phone });
    for (const token of c.tokens) {
      if (random.chance(0.4)) rows.push({ channel: 'push', address: token });
    }
  }
  const unique = new Map(rows.map((row) => [`${row.channel}:${row.address}`, row]));
  return [...unique.values()];
}

/**
 * Stored engagement scores, from a random stream of their own (the rest of the world stays as it
 * was): values around the thresholds the definitions use, as_of from 60 days ago to the future,
 * fractional milliseconds of a day, and now and then a row of another version, which reads 0.
 */
function scoresOf(random: Random): WorldCustomer['scores'] {
  if (random.chance(0.35)) return [];
  const value =
    random.pick([0.5, 5, 10, 19.99, 50, 80, 100, 150, 400]) * random.pick([1, 1, 0.9, 1.37]);
  const asOf = NOW - random.pick([random.int(-2, 60) * DAY, random.int(-DAY, 60 * DAY), 0]);
  return [{ version: random.chance(0.9) ? 1 : 99, value, asOf }];
}

/** Stored RFM cells, from a random stream of their own; a third of the customers have none. */
function rfmOf(random: Random): WorldCustomer['rfm'] {
  if (random.chance(0.35)) return null;
  const q = () => random.int(1, 5);
  return { version: random.chance(0.9) ? 1 : 99, r: q(), f: q(), m: q() };
}

export function makeWorld(seed: number, size: number): World {
  const random = new Random(seed);
  const list = Array.from({ length: size }, (_, i) => customer(random, i));
  const scoreRandom = new Random(seed + 7);
  for (const c of list) c.scores = scoresOf(scoreRandom);
  const rfmRandom = new Random(seed + 11);
  for (const c of list) c.rfm = rfmOf(rfmRandom);
  return { customers: list, suppressed: suppressionsOf(random, list) };
}
