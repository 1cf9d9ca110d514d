import { z } from 'zod';
import { eventNameSchema } from '../journeys/schema';
import { MAX_CONDITION_DURATION, MAX_DURATION, durationOrNull } from '../journeys/durations';

/**
 * The segment language, v1. A segment is data like a journey: this schema is the one source of
 * truth for what a definition may contain, builders.ts produces the same JSON, and both the SQL
 * compiler (src/audience) and the pure evaluator (evaluate.ts) read only what it admits.
 *
 * A condition is an object with exactly one key naming its kind:
 *   all / any / not          combine conditions
 *   profile                  a profile field, with the journey operators
 *   performed / notPerformed how often the customer did an event (with property conditions)
 *   eventTime                when the customer first / last did an event
 *   aggregate                sum / avg / min / max of an event's numeric property
 *   engaged                  human opens and clicks of our messages (machine opens left out)
 *   reachable                a usable address on a channel (present, not suppressed)
 *   consented                the customer's consent allows a channel for a kind of message
 *   subscribed               the customer is subscribed to a topic
 *   inSegment                the customer is a member of another segment (no cycles)
 *   score                    a stored score (src/scores) as read now, compared with a number
 *   lifecycleStage           the customer's lifecycle stage is this one (src/lifecycle/stages.ts)
 */

export const segmentIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower snake_case, starting with a letter');

/** "30d" etc.: a window of event history, at most ten years. */
export const windowSchema = z
  .string()
  .regex(/^[1-9]\d*(s|m|h|d|w)$/, 'must be a window with a unit, such as "30m", "24h" or "30d"')
  .refine((value) => (durationOrNull(value) ?? Infinity) <= MAX_DURATION.ms, {
    message: `must be at most ${MAX_DURATION.text} (${MAX_DURATION.described})`,
    when: (payload) => payload.issues.length === 0,
  });

const ageSchema = z
  .string()
  .regex(/^[1-9]\d*(s|m|h|d|w)$/, 'must be a duration with a unit, such as "30m", "24h" or "30d"')
  .refine((value) => (durationOrNull(value) ?? Infinity) <= MAX_CONDITION_DURATION.ms, {
    message: `must be at most ${MAX_CONDITION_DURATION.text} (${MAX_CONDITION_DURATION.described})`,
    when: (payload) => payload.issues.length === 0,
  });

/** A dot path inside a profile or an event's properties: "lifetime_value", "address.city". */
export const propertyPathSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z0-9_]{1,64}){0,7}$/,
    'must be a dot path of names such as "plan" or "address.city"',
  );

const scalar = z.union([z.string().max(1_000), z.number(), z.boolean()]);

/** The journey operators, on a path (`field` of the profile, `property` of an event). */
function comparison<K extends 'field' | 'property'>(key: K) {
  const path = { [key]: propertyPathSchema } as Record<K, typeof propertyPathSchema>;
  return z.discriminatedUnion('op', [
    z.object({
      ...path,
      op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains']),
      value: scalar,
    }),
    z.object({ ...path, op: z.enum(['in', 'not_in']), value: z.array(scalar).min(1).max(1_000) }),
    z.object({ ...path, op: z.literal('exists'), value: z.boolean().default(true) }),
    z.object({ ...path, op: z.enum(['within', 'older_than']), value: ageSchema }),
  ]);
}

export const profileComparisonSchema = comparison('field');
export type ProfileComparison = z.infer<typeof profileComparisonSchema>;

export const propertyComparisonSchema = comparison('property');
export type PropertyComparison = z.infer<typeof propertyComparisonSchema>;

/** Exactly one of atLeast, atMost, exactly. */
export const countSchema = z
  .object({
    atLeast: z.number().int().min(0).max(1_000_000).optional(),
    atMost: z.number().int().min(0).max(1_000_000).optional(),
    exactly: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict()
  .refine(
    (count) =>
      [count.atLeast, count.atMost, count.exactly].filter((n) => n !== undefined).length === 1,
    { message: 'must say exactly one of atLeast, atMost or exactly' },
  );
export type Count = z.infer<typeof countSchema>;

export const eventTypeSchema = eventNameSchema.regex(
  /^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/,
  'must be an event type such as "purchase"',
);

const eventFilter = {
  event: eventTypeSchema,
  /** Conditions on the event's properties, all of which must hold. */
  where: z.array(propertyComparisonSchema).min(1).max(20).optional(),
};

export const performedSchema = z
  .object({
    ...eventFilter,
    /** How many matching events; at least one when left out. */
    count: countSchema.optional(),
    /** Only events in this window before now count; left out, the whole history does. */
    within: windowSchema.optional(),
  })
  .strict();

export const notPerformedSchema = z
  .object({ ...eventFilter, within: windowSchema.optional() })
  .strict();

export const eventTimeSchema = z
  .object({
    ...eventFilter,
    which: z.enum(['first', 'last']),
    op: z.enum(['within', 'older_than']),
    value: ageSchema,
  })
  .strict();

export const aggregateSchema = z
  .object({
    ...eventFilter,
    /** A numeric property; values that are not numbers (or numeric strings) are left out. */
    property: propertyPathSchema,
    fn: z.enum(['sum', 'avg', 'min', 'max']),
    within: windowSchema.optional(),
    op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']),
    value: z.number().finite(),
  })
  .strict();

export const engagementChannelSchema = z.enum(['email', 'sms', 'push', 'in_app']);

export const engagedSchema = z
  .object({
    action: z.enum(['opened', 'clicked', 'any']).default('any'),
    channel: engagementChannelSchema.optional(),
    count: countSchema.optional(),
    within: windowSchema,
  })
  .strict();

export const reachableSchema = z.object({ channel: z.enum(['email', 'sms', 'push']) }).strict();

export const consentedSchema = z
  .object({
    channel: z.enum(['email', 'sms', 'push', 'in_app']),
    kind: z.enum(['marketing', 'transactional']).default('marketing'),
  })
  .strict();

export const subscribedSchema = z
  .object({ topic: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a topic id') })
  .strict();

export const inSegmentSchema = z.object({ segment: segmentIdSchema }).strict();

/**
 * A stored score read at evaluation time: a decaying one decayed and capped (0 before it counted
 * anything), an RFM one as its last recompute stored it (r + f + m; missing, so never passing,
 * for a customer with no purchase in its window). The data-quality score is a function of the
 * profile read in journeys (scores.data_quality), not here.
 */
export const scoreConditionSchema = z
  .object({
    // Which scores exist is the catalogue's (src/audience checks it when a segment is published).
    score: segmentIdSchema,
    op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']),
    value: z.number().finite(),
  })
  .strict();

/**
 * A canonical stage id; which ids exist is checked when a segment is published (the stages are
 * src/lifecycle's, which this pure language does not import).
 */
export const lifecycleStageSchema = z
  .object({ stage: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a lifecycle stage id') })
  .strict();

export type SegmentCondition =
  | { all: SegmentCondition[] }
  | { any: SegmentCondition[] }
  | { not: SegmentCondition }
  | { profile: ProfileComparison }
  | { performed: z.infer<typeof performedSchema> }
  | { notPerformed: z.infer<typeof notPerformedSchema> }
  | { eventTime: z.infer<typeof eventTimeSchema> }
  | { aggregate: z.infer<typeof aggregateSchema> }
  | { engaged: z.infer<typeof engagedSchema> }
  | { reachable: z.infer<typeof reachableSchema> }
  | { consented: z.infer<typeof consentedSchema> }
  | { subscribed: z.infer<typeof subscribedSchema> }
  | { inSegment: z.infer<typeof inSegmentSchema> }
  | { score: z.infer<typeof scoreConditionSchema> }
  | { lifecycleStage: z.infer<typeof lifecycleStageSchema> };

export type SegmentConditionInput =
  | { all: SegmentConditionInput[] }
  | { any: SegmentConditionInput[] }
  | { not: SegmentConditionInput }
  | { profile: z.input<typeof profileComparisonSchema> }
  | { performed: z.input<typeof performedSchema> }
  | { notPerformed: z.input<typeof notPerformedSchema> }
  | { eventTime: z.input<typeof eventTimeSchema> }
  | { aggregate: z.input<typeof aggregateSchema> }
  | { engaged: z.input<typeof engagedSchema> }
  | { reachable: z.input<typeof reachableSchema> }
  | { consented: z.input<typeof consentedSchema> }
  | { subscribed: z.input<typeof subscribedSchema> }
  | { inSegment: z.input<typeof inSegmentSchema> }
  | { score: z.input<typeof scoreConditionSchema> }
  | { lifecycleStage: z.input<typeof lifecycleStageSchema> };

export type ConditionKind = SegmentCondition extends infer C
  ? C extends Record<infer K, unknown>
    ? K
    : never
  : never;

/** How deep all / any / not may nest, and how many conditions one definition may hold. */
export const MAX_CONDITION_DEPTH = 8;
export const MAX_CONDITIONS = 100;

/** The schema of each kind of leaf condition, by its key. */
const LEAF_SCHEMAS = {
  profile: profileComparisonSchema,
  performed: performedSchema,
  notPerformed: notPerformedSchema,
  eventTime: eventTimeSchema,
  aggregate: aggregateSchema,
  engaged: engagedSchema,
  reachable: reachableSchema,
  consented: consentedSchema,
  subscribed: subscribedSchema,
  inSegment: inSegmentSchema,
  score: scoreConditionSchema,
  lifecycleStage: lifecycleStageSchema,
} as const;

export const CONDITION_KINDS: readonly ConditionKind[] = [
  'all',
  'any',
  'not',
  ...(Object.keys(LEAF_SCHEMAS) as ConditionKind[]),
];

type Issue = { path: PropertyKey[]; message: string };

/**
 * A condition is read by its one key and checked against that kind's schema alone, so an issue
 * names the exact field (`where.all.1.performed.within`), not "no branch of a union matched".
 */
function parseCondition(value: unknown, path: PropertyKey[], issues: Issue[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({ path, message: `must be an object with one of ${CONDITION_KINDS.join(', ')}` });
    return undefined;
  }
  const keys = Object.keys(value);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !CONDITION_KINDS.includes(key as ConditionKind)) {
    const unknown = keys.find((k) => !CONDITION_KINDS.includes(k as ConditionKind));
    issues.push({
      path: unknown === undefined ? path : [...path, unknown],
      message:
        unknown === undefined
          ? `must have exactly one of ${CONDITION_KINDS.join(', ')}`
          : `is not a kind of condition: use one of ${CONDITION_KINDS.join(', ')}`,
    });
    return undefined;
  }
  const body = (value as Record<string, unknown>)[key];
  if (key === 'not') return { not: parseCondition(body, [...path, 'not'], issues) };
  if (key === 'all' || key === 'any') return { [key]: parseList(body, [...path, key], issues) };
  const parsed = LEAF_SCHEMAS[key as keyof typeof LEAF_SCHEMAS].safeParse(body);
  if (parsed.success) return { [key]: parsed.data };
  for (const issue of parsed.error.issues) {
    issues.push({ path: [...path, key, ...issue.path], message: issue.message });
  }
  return undefined;
}

function parseList(value: unknown, path: PropertyKey[], issues: Issue[]): unknown[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CONDITIONS) {
    issues.push({ path, message: `must be a list of 1 to ${MAX_CONDITIONS} conditions` });
    return [];
  }
  return value.map((item, index) => parseCondition(item, [...path, index], issues));
}

/** Depth of all / any / not nesting and the number of leaf conditions, for the limits. */
export function conditionShape(condition: SegmentCondition): { depth: number; leaves: number } {
  if ('not' in condition) {
    const inner = conditionShape(condition.not);
    return { depth: inner.depth + 1, leaves: inner.leaves };
  }
  const list = 'all' in condition ? condition.all : 'any' in condition ? condition.any : null;
  if (!list) return { depth: 0, leaves: 1 };
  const shapes = list.map(conditionShape);
  return {
    depth: 1 + Math.max(...shapes.map((s) => s.depth)),
    leaves: shapes.reduce((sum, s) => sum + s.leaves, 0),
  };
}

export const segmentConditionSchema = z.unknown().transform((value, ctx): SegmentCondition => {
  const issues: Issue[] = [];
  const parsed = parseCondition(value, [], issues);
  for (const issue of issues) ctx.addIssue({ code: 'custom', ...issue });
  if (issues.length > 0) return z.NEVER;
  const condition = parsed as SegmentCondition;
  const shape = conditionShape(condition);
  if (shape.depth > MAX_CONDITION_DEPTH) {
    ctx.addIssue({
      code: 'custom',
      message: `nests all/any/not deeper than ${MAX_CONDITION_DEPTH}`,
    });
  }
  if (shape.leaves > MAX_CONDITIONS) {
    ctx.addIssue({ code: 'custom', message: `holds more than ${MAX_CONDITIONS} conditions` });
  }
  return condition;
});

/**
 * A segment definition. `rule` segments (the default) have members by their `where` condition,
 * kept live as events and profile changes arrive; `manual` segments have the members added and
 * removed through the API (and no `where`).
 */
export const segmentDefinitionSchema = z
  .object({
    id: segmentIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(2_000).optional(),
    kind: z.enum(['rule', 'manual']).default('rule'),
    where: segmentConditionSchema.optional(),
  })
  .strict()
  .superRefine((definition, ctx) => {
    if (definition.kind === 'rule' && definition.where === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['where'],
        message: 'a rule segment needs a condition',
      });
    }
    if (definition.kind === 'manual' && definition.where !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['where'],
        message: 'a manual segment has no condition: its members are added through the API',
      });
    }
  });

export type SegmentDefinition = z.infer<typeof segmentDefinitionSchema>;
export type SegmentDefinitionInput = z.input<typeof segmentDefinitionSchema>;
