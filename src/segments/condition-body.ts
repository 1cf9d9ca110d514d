import type { ConditionKind, SegmentCondition } from './schema';

/** The body of a condition of one kind: ConditionBody<'performed'> is { event, where?, ... }. */
export type ConditionBody<K extends ConditionKind> =
  Extract<SegmentCondition, Record<K, unknown>> extends infer C
    ? C extends Record<K, infer B>
      ? B
      : never
    : never;
