import { z } from 'zod';
import { isoTimestampSchema } from './common';

/** One event a decaying score counted: its points when it happened (they decay from then). */
export const scoreContributionSchema = z
  .object({
    eventId: z.string(),
    eventType: z.string(),
    points: z.number(),
    occurredAt: isoTimestampSchema,
  })
  .meta({ id: 'ScoreContribution' });
export type ScoreContributionView = z.infer<typeof scoreContributionSchema>;

/**
 * A score of the customer as conditions read it now (scores.<id> in journeys, the segment score
 * condition): decaying scores decayed and capped, with the stored state's asOf and the newest
 * contributions that made it; the data-quality score with its level.
 */
export const customerScoreSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['decaying', 'profile_quality']),
    version: z.number().int(),
    value: z.number(),
    /** When the stored sum was last rebased (a decaying score that has counted something). */
    asOf: isoTimestampSchema.nullable(),
    /** Newest first, at most SCORE_CONTRIBUTIONS_SHOWN of each score. */
    contributions: z.array(scoreContributionSchema),
    /** The data-quality level (high, medium, low, invalid). */
    level: z.enum(['high', 'medium', 'low', 'invalid']).optional(),
  })
  .meta({ id: 'CustomerScore' });
export type CustomerScore = z.infer<typeof customerScoreSchema>;

export const SCORE_CONTRIBUTIONS_SHOWN = 20;
