import type { JsonValue } from '../../../src/journeys/run-types';
import {
  segmentConditionSchema,
  type SegmentCondition,
  type SegmentConditionInput,
} from '../../../src/segments/schema';
import type { Random } from './random';
import { ALL_EVENT_TYPES, NUMBERS, SEGMENT_IDS, STAGE_IDS } from './segment-world';

/** Random segment conditions of every kind over the world's fields, parsed by the schema. */

const PROFILE_FIELDS = [
  'plan',
  'ltv',
  'age',
  'tags',
  'tags.0',
  'signed_up_at',
  'address',
  'address.city',
  'address.zip',
  'items.0.sku',
  'items.1.sku',
  'items.5.sku',
  'verified',
  'email',
  'phone',
  'hasEmail',
  'hasPhone',
  'id',
  'timeZone',
  'locale',
  'consent',
  'consent.email',
  'consent.sms',
  'last_engaged_at',
  'lifecycle_stage',
  'lifecycle_stage.x',
  'nothing_here',
  'plan.x',
];
const PROPERTIES = ['amount', 'sku', 'category', 'tags', 'at', 'nested.level', 'nested', 'none'];
const WORDS = ['pro', 'free', 'Pro', 'pro plan', 'books', 'vip', 'beta', 'sale', 'new', 'ro', ''];
const AGES = ['1h', '1d', '7d', '30d', '90d', '365d'];
const WINDOWS = ['1d', '7d', '30d', '90d'];
const OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'in',
  'not_in',
  'exists',
  'within',
  'older_than',
] as const;

type Scalar = string | number | boolean;

function scalar(random: Random): Scalar {
  const pool = [...NUMBERS, ...WORDS].filter(
    (v): v is Scalar => v !== null && typeof v !== 'object',
  );
  return random.pick(pool);
}

function comparison<K extends 'field' | 'property'>(random: Random, key: K, path: string) {
  const op = random.pick(OPS);
  const value: JsonValue =
    op === 'in' || op === 'not_in'
      ? Array.from({ length: random.int(1, 3) }, () => scalar(random))
      : op === 'exists'
        ? random.chance(0.5)
        : op === 'within' || op === 'older_than'
          ? random.pick(AGES)
          : scalar(random);
  return { [key]: path, op, value } as Record<K, string> & { op: string; value: JsonValue };
}

function count(random: Random) {
  return random.pick([
    undefined,
    { atLeast: random.int(0, 3) },
    { atMost: random.int(0, 2) },
    { exactly: random.int(0, 2) },
  ]);
}

function where(random: Random) {
  if (random.chance(0.5)) return undefined;
  return Array.from({ length: random.int(1, 2) }, () =>
    comparison(random, 'property', random.pick(PROPERTIES)),
  );
}

const optional = <T extends object>(entries: T): T =>
  Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as T;

type LeafMaker = (random: Random) => SegmentConditionInput;

const LEAVES: LeafMaker[] = [
  (r) => ({ profile: comparison(r, 'field', r.pick(PROFILE_FIELDS)) }) as SegmentConditionInput,
  (r) =>
    ({
      performed: optional({
        event: r.pick(ALL_EVENT_TYPES),
        where: where(r),
        count: count(r),
        within: r.chance(0.6) ? r.pick(WINDOWS) : undefined,
      }),
    }) as SegmentConditionInput,
  (r) =>
    ({
      notPerformed: optional({
        event: r.pick(ALL_EVENT_TYPES),
        where: where(r),
        within: r.chance(0.6) ? r.pick(WINDOWS) : undefined,
      }),
    }) as SegmentConditionInput,
  (r) =>
    ({
      eventTime: optional({
        event: r.pick(ALL_EVENT_TYPES),
        where: where(r),
        which: r.pick(['first', 'last'] as const),
        op: r.pick(['within', 'older_than'] as const),
        value: r.pick(AGES),
      }),
    }) as SegmentConditionInput,
  (r) =>
    ({
      aggregate: optional({
        event: r.pick(ALL_EVENT_TYPES),
        where: where(r),
        property: r.pick(['amount', 'nested.level', 'sku', 'none']),
        fn: r.pick(['sum', 'avg', 'min', 'max'] as const),
        within: r.chance(0.6) ? r.pick(WINDOWS) : undefined,
        op: r.pick(['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const),
        value: r.pick([0, 1, 10, 42, 99.5, 100, -1.5, 250]),
      }),
    }) as SegmentConditionInput,
  (r) => ({
    engaged: optional({
      action: r.pick(['opened', 'clicked', 'any', undefined] as const),
      channel: r.pick(['email', 'sms', 'push', 'in_app', undefined] as const),
      count: count(r),
      within: r.pick(WINDOWS),
    }),
  }),
  (r) => ({ reachable: { channel: r.pick(['email', 'sms', 'push'] as const) } }),
  (r) => ({
    consented: optional({
      channel: r.pick(['email', 'sms', 'push', 'in_app'] as const),
      kind: r.pick(['marketing', 'transactional', undefined] as const),
    }),
  }),
  (r) => ({ subscribed: { topic: r.pick(['newsletter', 'offers', 'ghost']) } }),
  (r) => ({ inSegment: { segment: r.pick([...SEGMENT_IDS, 'unknown_segment']) } }),
  (r) => ({
    score: {
      score: 'engagement',
      op: r.pick(['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const),
      value: r.pick([0, 1, 5, 10, 19.99, 50, 80, 100, 150]),
    },
  }),
  (r) => ({ lifecycleStage: { stage: r.pick([...STAGE_IDS, 'churned']) } }),
  (r) => ({
    score: {
      score: 'rfm',
      op: r.pick(['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const),
      value: r.pick([0, 3, 7, 9, 9.5, 12, 15]),
    },
  }),
];

export function randomCondition(random: Random, depth = 3): SegmentConditionInput {
  if (depth > 0 && random.chance(0.45)) {
    const kind = random.pick(['all', 'any', 'not'] as const);
    if (kind === 'not') return { not: randomCondition(random, depth - 1) };
    const list = Array.from({ length: random.int(1, 3) }, () => randomCondition(random, depth - 1));
    return kind === 'all' ? { all: list } : { any: list };
  }
  return random.pick(LEAVES)(random);
}

/** Leaves only: one of each kind in turn, so every kind is compared on its own. */
export function randomLeaf(random: Random, index: number): SegmentConditionInput {
  const make = LEAVES[index % LEAVES.length];
  if (!make) throw new Error('no leaf maker');
  return make(random);
}

export function parsed(input: SegmentConditionInput): SegmentCondition {
  return segmentConditionSchema.parse(input);
}
