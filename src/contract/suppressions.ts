import { z } from 'zod';
import { isoTimestampSchema } from './common';

export const suppressionChannelSchema = z.enum(['email', 'sms', 'push'], {
  error: 'must be one of "email", "sms" or "push"',
});

export const suppressionReasonSchema = z.enum(
  ['hard_bounce', 'complaint', 'manual', 'invalid_address'],
  { error: 'must be one of "hard_bounce", "complaint", "manual" or "invalid_address"' },
);

/**
 * POST body. The address is checked against the channel (email, E.164 phone, push token). Schema
 * ids must not end in "Input": the OpenAPI registry names every input schema "<id>Input".
 */
export const suppressionInputSchema = z
  .strictObject({
    channel: suppressionChannelSchema,
    address: z.string().min(1, 'must not be empty').max(4096),
    reason: suppressionReasonSchema,
    /** Where the entry came from; "api" when omitted. */
    source: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be 1-40 lower-case letters, digits or "_"')
      .default('api'),
  })
  .meta({ id: 'SuppressionRequest' });
export type SuppressionInput = z.input<typeof suppressionInputSchema>;

/** An address that is never sent to on its channel, whatever the message. */
export const suppressionSchema = z
  .object({
    id: z.string(),
    channel: suppressionChannelSchema,
    /** Normalised: lower-case email, E.164 phone, or push token. */
    address: z.string(),
    reason: suppressionReasonSchema,
    source: z.string(),
    createdAt: isoTimestampSchema,
  })
  .meta({ id: 'Suppression' });
export type Suppression = z.infer<typeof suppressionSchema>;

export const suppressionCreatedSchema = z.object({
  suppression: suppressionSchema,
  /** false: the address was already suppressed; the earlier entry is kept. */
  created: z.boolean(),
});
export type SuppressionCreated = z.infer<typeof suppressionCreatedSchema>;

export const suppressionListQuerySchema = z.object({
  channel: suppressionChannelSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** nextCursor of the previous page; opaque. */
  cursor: z.uuid({ message: 'must be the nextCursor of a previous page' }).optional(),
});
/** The client's view of the query (z.input of a coerced number would be unknown). */
export interface SuppressionListQuery {
  channel?: 'email' | 'sms' | 'push';
  limit?: number;
  cursor?: string;
}

export const suppressionListSchema = z.object({
  /** Newest first. */
  suppressions: z.array(suppressionSchema),
  nextCursor: z.string().nullable(),
});
export type SuppressionList = z.infer<typeof suppressionListSchema>;

export const suppressionParamsSchema = z.object({
  channel: suppressionChannelSchema,
  /** URL-encoded ("%2B14155550100", "ada%40example.com"). */
  address: z.string().min(1).max(4096),
});
