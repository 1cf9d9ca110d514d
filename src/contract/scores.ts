import { z } from 'zod';
import { scoreIdSchema } from '../scores/schema';
export { scoreDefinitionInputSchema, type ScoreDefinitionInput } from '../scores/schema';
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
 * One part of an RFM score: its quintile 1..5, the points it adds to the value (r + f + m), and
 * what was measured over the window (recency: days since the last purchase; frequency: purchases;
 * monetary: the sum of their properties.total).
 */
export const scorePartSchema = z
  .object({
    part: z.enum(['recency', 'frequency', 'monetary']),
    points: z.number().int(),
    measure: z.number(),
  })
  .meta({ id: 'ScorePart' });
export type ScorePartView = z.infer<typeof scorePartSchema>;

/**
 * A score of the customer as conditions read it now (scores.<id> in journeys, the segment score
 * condition): decaying scores decayed and capped, with the stored state's asOf and the newest
 * contributions that made it; the data-quality score with its level; an RFM score as its last
 * recompute (asOf) stored it, with its cell and its three parts as contributions. A customer with
 * no purchase in the RFM window has no RFM score, and the list leaves it out.
 */
export const customerScoreSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['decaying', 'profile_quality', 'rfm']),
    version: z.number().int(),
    value: z.number(),
    /**
     * When the stored sum was last rebased (a decaying score that has counted something), or when
     * an RFM score was recomputed.
     */
    asOf: isoTimestampSchema.nullable(),
    /** Events newest first, at most SCORE_CONTRIBUTIONS_SHOWN of each score; an RFM score's parts. */
    contributions: z.array(z.union([scoreContributionSchema, scorePartSchema])),
    /** An RFM score's cell, r f m as three digits ("545"), and since when it holds. */
    cell: z.string().optional(),
    cellSince: isoTimestampSchema.optional(),
    /** The data-quality level (high, medium, low, invalid). */
    level: z.enum(['high', 'medium', 'low', 'invalid']).optional(),
  })
  .meta({ id: 'CustomerScore' });
export type CustomerScore = z.infer<typeof customerScoreSchema>;

export const SCORE_CONTRIBUTIONS_SHOWN = 20;

/** GET /v1/scores/:id and POST /v1/scores/:id/recompute (a score recomputed on a schedule). */
export const scoreParamsSchema = z.object({ id: scoreIdSchema });

export const scoreKindSchema = z.enum(['decaying', 'profile_quality', 'rfm']);

/** POST /v1/scores: the version the definition was published as. */
export const scorePublishedSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    kind: scoreKindSchema,
    /**
     * false: a decaying version, counted live from now and backfilled from the event history by
     * the router; readers (segments, profiles, journeys) switch to it when that is done.
     */
    active: z.boolean(),
  })
  .meta({ id: 'ScorePublished' });
export type ScorePublished = z.infer<typeof scorePublishedSchema>;

export const scoreSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: scoreKindSchema,
    /** The version readers read; 0 while a first decaying version is still being backfilled. */
    activeVersion: z.number().int(),
    /** The newest published version. */
    latestVersion: z.number().int(),
    /** false while the latest version is backfilled from event history. */
    backfilled: z.boolean(),
    createdAt: isoTimestampSchema,
    updatedAt: isoTimestampSchema,
  })
  .meta({ id: 'ScoreSummary' });
export type ScoreSummary = z.infer<typeof scoreSummarySchema>;

export const scoreListSchema = z.object({ scores: z.array(scoreSummarySchema) });
export type ScoreList = z.infer<typeof scoreListSchema>;

export const scoreVersionSchema = z
  .object({
    version: z.number().int(),
    definition: z.record(z.string(), z.unknown()),
    createdAt: isoTimestampSchema,
  })
  .meta({ id: 'ScoreVersion' });

export const scoreDetailSchema = scoreSummarySchema
  .extend({
    /** Every version, oldest first; versions never change. */
    versions: z.array(scoreVersionSchema),
  })
  .meta({ id: 'Score' });
export type ScoreDetail = z.infer<typeof scoreDetailSchema>;

/** The run the trigger started, or the one already running (the schedule skips overlaps). */
export const scoreRecomputeSchema = z
  .object({
    scheduleId: z.string(),
    /** Its Temporal workflow id; null when the schedule had not shown the run within the wait. */
    workflowId: z.string().nullable(),
    /** false: a recompute was already running, and it is the one named. */
    started: z.boolean(),
  })
  .meta({ id: 'ScoreRecompute' });
export type ScoreRecompute = z.infer<typeof scoreRecomputeSchema>;
