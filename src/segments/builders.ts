import type { z } from 'zod';
import {
  segmentDefinitionSchema,
  type aggregateSchema,
  type engagedSchema,
  type eventTimeSchema,
  type notPerformedSchema,
  type performedSchema,
  type profileComparisonSchema,
  type propertyComparisonSchema,
  type SegmentConditionInput,
  type SegmentDefinition,
  type SegmentDefinitionInput,
} from './schema';

/**
 * Code-first segments. The builders produce exactly the JSON an author would write, and build()
 * validates it with the schema:
 *
 *   segment('high_value')
 *     .name('High value')
 *     .where(all(profile('lifetime_value', 'gte', 1000), performed('purchase', { within: '30d' })))
 *     .build();
 */

type ProfileInput = z.input<typeof profileComparisonSchema>;
type PropertyInput = z.input<typeof propertyComparisonSchema>;
type Op = ProfileInput['op'];
/** The value an operator takes: a scalar, a list for in / not_in, a boolean for exists, an age. */
type ValueOf<O extends Op> = ProfileInput extends infer C
  ? C extends { op: infer Ops; value?: infer V }
    ? O extends Ops
      ? V
      : never
    : never
  : never;

/** A condition on a profile field: profile('plan', 'eq', 'pro'), profile('email', 'exists', false). */
export function profile<O extends Op>(
  field: string,
  op: O,
  value: ValueOf<O>,
): SegmentConditionInput {
  return { profile: { field, op, value } as ProfileInput };
}

/** A condition on an event property, for `where`: property('amount', 'gte', 50). */
export function property<O extends Op>(path: string, op: O, value: ValueOf<O>): PropertyInput {
  return { property: path, op, value } as PropertyInput;
}

type Options<S extends z.ZodType> = Omit<z.input<S>, 'event'>;

export function performed(
  event: string,
  options: Options<typeof performedSchema> = {},
): SegmentConditionInput {
  return { performed: { event, ...options } };
}

export function notPerformed(
  event: string,
  options: Options<typeof notPerformedSchema> = {},
): SegmentConditionInput {
  return { notPerformed: { event, ...options } };
}

/** When the customer first / last did an event: eventTime('purchase', { which: 'last', op: 'older_than', value: '90d' }). */
export function eventTime(
  event: string,
  options: Options<typeof eventTimeSchema>,
): SegmentConditionInput {
  return { eventTime: { event, ...options } };
}

export function aggregate(
  event: string,
  options: Options<typeof aggregateSchema>,
): SegmentConditionInput {
  return { aggregate: { event, ...options } };
}

export function engaged(options: z.input<typeof engagedSchema>): SegmentConditionInput {
  return { engaged: options };
}

export function reachable(channel: 'email' | 'sms' | 'push'): SegmentConditionInput {
  return { reachable: { channel } };
}

export function consented(
  channel: 'email' | 'sms' | 'push' | 'in_app',
  kind: 'marketing' | 'transactional' = 'marketing',
): SegmentConditionInput {
  return { consented: { channel, kind } };
}

export function subscribed(topic: string): SegmentConditionInput {
  return { subscribed: { topic } };
}

export function inSegment(segmentId: string): SegmentConditionInput {
  return { inSegment: { segment: segmentId } };
}

/** A decaying score as read now: score('engagement', 'gte', 50). */
export function score(
  id: string,
  op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte',
  value: number,
): SegmentConditionInput {
  return { score: { score: id, op, value } };
}

export function lifecycleStage(stage: string): SegmentConditionInput {
  return { lifecycleStage: { stage } };
}

export function all(...conditions: SegmentConditionInput[]): SegmentConditionInput {
  return { all: conditions };
}

export function any(...conditions: SegmentConditionInput[]): SegmentConditionInput {
  return { any: conditions };
}

export function not(condition: SegmentConditionInput): SegmentConditionInput {
  return { not: condition };
}

export class SegmentBuilder {
  private readonly json: Partial<SegmentDefinitionInput> & { id: string };

  constructor(id: string) {
    this.json = { id };
  }

  name(name: string): this {
    return this.with({ name });
  }

  description(description: string): this {
    return this.with({ description });
  }

  /** A rule segment's condition; several calls combine with all. */
  where(condition: SegmentConditionInput): this {
    const current = this.json.where as SegmentConditionInput | undefined;
    return this.with({ where: current === undefined ? condition : all(current, condition) });
  }

  /** Members are added and removed through the API. */
  manual(): this {
    return this.with({ kind: 'manual' });
  }

  /** The JSON form, unvalidated. */
  toJSON(): Partial<SegmentDefinitionInput> & { id: string } {
    return { ...this.json };
  }

  /** The definition, validated; throws the schema's issues otherwise. */
  build(): SegmentDefinition {
    return segmentDefinitionSchema.parse(this.json);
  }

  private with(part: Partial<SegmentDefinitionInput>): this {
    Object.assign(this.json, part);
    return this;
  }
}

export function segment(id: string): SegmentBuilder {
  return new SegmentBuilder(id);
}
