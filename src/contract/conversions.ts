import { z } from 'zod';
import { channelSchema } from '../journeys/channel-content';
import { journeyIdSchema, stepIdSchema } from '../journeys/schema';
import { isoTimestampSchema, MAX_INTEGER } from './common';

export const attributionModelSchema = z.enum(
  ['last_touch', 'first_touch', 'linear', 'time_decay'],
  { error: 'must be one of "last_touch", "first_touch", "linear" or "time_decay"' },
);

/**
 * GET /v1/conversions. Unknown parameters are refused, so a misspelt filter never widens the
 * answer silently. since is inclusive, until exclusive (the goal event's time).
 */
export const conversionQuerySchema = z
  .strictObject({
    journeyId: journeyIdSchema.optional(),
    version: z.coerce
      .number({ error: 'must be a positive integer' })
      .int('must be a positive integer')
      .positive('must be a positive integer')
      .max(MAX_INTEGER, `must be at most ${MAX_INTEGER}`)
      .optional(),
    stepId: stepIdSchema.optional(),
    channel: z
      .enum(channelSchema.options, {
        error: `must be one of ${channelSchema.options.map((c) => `"${c}"`).join(', ')}`,
      })
      .optional(),
    model: attributionModelSchema.default('last_touch'),
    since: isoTimestampSchema.optional(),
    until: isoTimestampSchema.optional(),
  })
  .superRefine((query, ctx) => {
    if (query.version !== undefined && query.journeyId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: 'needs journeyId' });
    }
    if (query.since && query.until && Date.parse(query.until) <= Date.parse(query.since)) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after since' });
    }
  });

/** The client's view of the query (z.input of a coerced number would be unknown). */
export interface ConversionQuery {
  journeyId?: string;
  version?: number;
  stepId?: string;
  channel?: z.infer<typeof channelSchema>;
  model?: z.infer<typeof attributionModelSchema>;
  since?: string;
  until?: string;
}

/**
 * Revenue per ISO currency code; revenue recorded without a currency is under "XXX" (ISO 4217's
 * "no currency"). Amounts in different currencies are never added together.
 */
export const revenueByCurrencySchema = z.record(z.string(), z.number());

export const conversionGroupSchema = z
  .object({
    journeyId: z.string(),
    version: z.number().int(),
    stepId: z.string(),
    channel: z.string(),
    /** Sum of this step's shares of conversions under the model. */
    conversions: z.number(),
    revenue: revenueByCurrencySchema,
  })
  .meta({ id: 'ConversionGroup' });
export type ConversionGroup = z.infer<typeof conversionGroupSchema>;

export const conversionReportSchema = z
  .object({
    model: attributionModelSchema,
    /** Sum of weights: each goal event credited to a message counts 1 in total. */
    conversions: z.number(),
    revenue: revenueByCurrencySchema,
    /** Per journey, version, step and channel; ordered by those. */
    by: z.array(conversionGroupSchema),
  })
  .meta({ id: 'ConversionReport' });
export type ConversionReport = z.infer<typeof conversionReportSchema>;
