import { z } from 'zod';
import { isoTimestampSchema } from './common';

/** A lifecycle stage as GET /v1/lifecycle-stages lists it: its rule is a segment condition. */
export const lifecycleStageViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    /** Other names for the stage (seed documents, other tools); conditions take the id. */
    aliases: z.array(z.string()),
    /** The stage's rule in the segment condition language. */
    where: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'LifecycleStage' });
export type LifecycleStageView = z.infer<typeof lifecycleStageViewSchema>;

export const lifecycleStageListSchema = z.object({
  /** In order of precedence: a customer's stage is the first whose rule matches. */
  stages: z.array(lifecycleStageViewSchema),
  /** The event a change of stage is, with properties { from, to }. */
  changeEvent: z.literal('lifecycle_changed'),
});
export type LifecycleStageList = z.infer<typeof lifecycleStageListSchema>;

/** A customer's stored stage and since when; null until the router first computed it. */
export const customerLifecycleSchema = z
  .object({ stage: z.string(), since: isoTimestampSchema })
  .nullable()
  .meta({ id: 'CustomerLifecycle' });
