import { z } from 'zod';
import { durationOrNull } from '../journeys/durations';
import { eventNameSchema } from '../journeys/schema';

/**
 * The score language, v1. A score is data like a journey or a segment: a named definition with a
 * version, checked by this schema, shipped as built-ins (library.ts) or published by users
 * (POST /v1/scores, stored by src/audience/score-catalogue.ts). Three kinds:
 *
 *   decaying         Σ points(event) × decayPerDay^(age in days), capped: seed S3's behavioural
 *                    score. Kept as (value, as_of) and decayed when read (decay.ts), never
 *                    recomputed on a schedule.
 *   profile_quality  seed S0's data-quality score: a pure function of the profile (quality.ts).
 *   rfm              recency, frequency and monetary quintiles of the customers' purchases in a
 *                    window, ranked over everyone who bought in it (rfm.ts) and stored by a
 *                    recompute on a Temporal Schedule: a relative score, so it cannot be kept
 *                    live per event like a decaying one.
 *
 * A definition (id, version) never changes once shipped: a change is a new version, because the
 * stored values and contributions of a decaying score are kept per version.
 */

export const scoreIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower snake_case, starting with a letter');

/**
 * The segment language's event type rule (src/segments/schema.ts, which imports this folder): a
 * canonical name, an alias refused with the name to use, since events are stored canonical only.
 */
const eventTypeSchema = eventNameSchema.regex(
  /^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/,
  'must be an event type such as "purchase"',
);

const propertyPathSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z0-9_]{1,64}){0,7}$/,
    'must be a dot path of names such as "price" or "item.price"',
  );

const scalar = z.union([z.string().max(1_000), z.number(), z.boolean()]);

/**
 * A condition on the event's properties with the journey operators (src/journeys/conditions.ts):
 * a missing property fails every operator but exists: false. No age operators: a multiplier is
 * decided once, when the event is counted, and must not depend on when that happens.
 */
export const scorePropertyConditionSchema = z.discriminatedUnion('op', [
  z
    .object({
      property: propertyPathSchema,
      op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains']),
      value: scalar,
    })
    .strict(),
  z
    .object({
      property: propertyPathSchema,
      op: z.enum(['in', 'not_in']),
      value: z.array(scalar).min(1).max(100),
    })
    .strict(),
  z.object({ property: propertyPathSchema, op: z.literal('exists'), value: z.boolean() }).strict(),
]);
export type ScorePropertyCondition = z.infer<typeof scorePropertyConditionSchema>;

/** Every multiplier whose event and conditions match multiplies the event's points. */
export const multiplierSchema = z
  .object({
    event: eventTypeSchema,
    where: z.array(scorePropertyConditionSchema).min(1).max(10),
    factor: z.number().finite().positive().max(100),
  })
  .strict();
export type Multiplier = z.infer<typeof multiplierSchema>;

const common = {
  id: scoreIdSchema,
  name: z.string().min(1).max(200),
  description: z.string().max(2_000),
};
const versionSchema = z.number().int().min(1).max(1_000_000);

/**
 * Each weighed type must be an event type, and canonical: checked here rather than as the
 * record's key schema, whose failure zod reports only as "Invalid key in record", so the answer
 * names the key and what is wrong with it (an alias: the name to use).
 */
function weighedTypes(weights: Record<string, number>, ctx: z.RefinementCtx): void {
  for (const type of Object.keys(weights)) {
    const checked = eventTypeSchema.safeParse(type);
    if (checked.success) continue;
    for (const issue of checked.error.issues) {
      ctx.addIssue({ code: 'custom', path: [type], message: issue.message });
    }
  }
}

const decayingFields = {
  ...common,
  kind: z.literal('decaying'),
  /** Points per event type; types not listed count nothing. */
  weights: z
    .record(z.string(), z.number().finite().positive().max(1_000_000))
    .superRefine(weighedTypes)
    .refine((weights) => Object.keys(weights).length > 0, 'must weigh at least one event type')
    .refine((weights) => Object.keys(weights).length <= 200, 'must weigh at most 200 types'),
  multipliers: z.array(multiplierSchema).max(50),
  /** What a point is worth a day later: 0.95 keeps 95% a day (about a 13.5-day half-life). */
  decayPerDay: z.number().gt(0).lte(1),
  /** The value read never exceeds this; the stored sum is kept uncapped. */
  cap: z.number().finite().positive(),
};

/** A multiplier must name a weighed type: it could never multiply anything otherwise. */
function multipliersWeighed(
  definition: { weights: Record<string, number>; multipliers: Multiplier[] },
  ctx: z.RefinementCtx,
): void {
  definition.multipliers.forEach((multiplier, index) => {
    if (!(multiplier.event in definition.weights)) {
      ctx.addIssue({
        code: 'custom',
        path: ['multipliers', index, 'event'],
        message: 'multiplies an event type the score does not weigh',
      });
    }
  });
}

export const decayingScoreSchema = z
  .object({ ...decayingFields, version: versionSchema })
  .strict()
  .superRefine(multipliersWeighed);
export type DecayingScore = z.infer<typeof decayingScoreSchema>;

const profileQualityFields = {
  ...common,
  kind: z.literal('profile_quality'),
  /** The profile fields whose presence is completeness (seed S0: first and last name, email). */
  requiredFields: z.array(propertyPathSchema).min(1).max(20),
};

export const profileQualityScoreSchema = z
  .object({ ...profileQualityFields, version: versionSchema })
  .strict();
export type ProfileQualityScore = z.infer<typeof profileQualityScoreSchema>;

/** Whole days, a week to ten years: RFM looks back over purchases, not minutes. */
const RFM_WINDOW_DAYS = { min: 7, max: 3650 };
const rfmWindowSchema = z
  .string()
  .regex(/^[1-9]\d*d$/, 'must be a number of days, such as "365d"')
  .refine((value) => {
    const days = (durationOrNull(value) ?? 0) / 86_400_000;
    return days >= RFM_WINDOW_DAYS.min && days <= RFM_WINDOW_DAYS.max;
  }, `must be from ${RFM_WINDOW_DAYS.min} to ${RFM_WINDOW_DAYS.max} days`);

/**
 * Recency (days since the last purchase), frequency (purchases) and monetary value (the sum of
 * their amounts) over `window`, each ranked into quintiles 1..5 (5 best) among the customers with
 * a purchase in the window. Which events are purchases and what their amount is are the profile
 * rules' (src/lifecycle: `purchase`, `properties.total`), so RFM and lifetime_value agree.
 */
const rfmFields = { ...common, kind: z.literal('rfm'), window: rfmWindowSchema };

export const rfmScoreSchema = z.object({ ...rfmFields, version: versionSchema }).strict();
export type RfmScore = z.infer<typeof rfmScoreSchema>;

export const scoreDefinitionSchema = z.discriminatedUnion('kind', [
  decayingScoreSchema,
  profileQualityScoreSchema,
  rfmScoreSchema,
]);
export type ScoreDefinition = DecayingScore | ProfileQualityScore | RfmScore;

/**
 * What a user publishes (POST /v1/scores): a definition without its version, which the catalogue
 * gives (the score's next one).
 */
export const scoreDefinitionInputSchema = z.discriminatedUnion('kind', [
  z.object(decayingFields).strict().superRefine(multipliersWeighed),
  z.object(profileQualityFields).strict(),
  z.object(rfmFields).strict(),
]);
export type ScoreDefinitionInput = z.infer<typeof scoreDefinitionInputSchema>;
