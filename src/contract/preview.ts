import { z } from 'zod';
import { parseDuration } from '../journeys/durations';
import { durationSchema } from '../journeys/schema';
import {
  customerIdSchema,
  isoTimestampSchema,
  jsonObjectSchema,
  MAX_INTEGER,
  timeZoneSchema,
} from './common';
import { consentSchema } from './customers';
import { eventTypeSchema } from './events';
import { journeyParamsSchema } from './journeys';
import { runStatusSchema } from './runs';

/** A preview looks at most this far ahead: the run is replayed command by command in the request. */
export const MAX_PREVIEW_HORIZON = '90d';
export const DEFAULT_PREVIEW_HORIZON = '30d';
export const MAX_PREVIEW_EVENTS = 200;

/** A duration no longer than `max` (a too large number is refused, never thrown). */
function boundedDuration(max: string) {
  const maxMs = parseDuration(max);
  return durationSchema.refine(
    (value) => {
      try {
        return parseDuration(value) <= maxMs;
      } catch {
        return false;
      }
    },
    // A value that is no duration at all already has its issue: one issue per field.
    { message: `must be at most ${max}`, when: (payload) => payload.issues.length === 0 },
  );
}

/**
 * A profile described in the request instead of a stored customer, in the terms conditions see:
 * hasEmail/hasPhone (never an address), consent, attributes (profile.<name>), lastEngagedAt
 * (profile.last_engaged_at).
 */
export const previewProfileSchema = z
  .strictObject({
    id: customerIdSchema.optional(),
    timeZone: timeZoneSchema.nullable().optional(),
    locale: z.string().max(35).nullable().optional(),
    hasEmail: z.boolean().optional(),
    hasPhone: z.boolean().optional(),
    consent: consentSchema.optional(),
    attributes: jsonObjectSchema.optional(),
    lastEngagedAt: isoTimestampSchema.nullable().optional(),
  })
  .meta({ id: 'PreviewProfile' });

export const previewEventSchema = z.strictObject({
  /** When the event arrives, after the start of the preview. */
  after: boundedDuration(MAX_PREVIEW_HORIZON),
  type: eventTypeSchema,
  properties: jsonObjectSchema.optional(),
  /** Defaults to preview:event:<index>. */
  id: z.string().min(1).max(200).optional(),
});

export const previewRequestSchema = z
  .strictObject({
    /** The journey version to preview; defaults to the active one. */
    version: z.number().int().positive().max(MAX_INTEGER).optional(),
    /** A stored customer, read as a run reads it. Exactly one of customerId and profile. */
    customerId: customerIdSchema.optional(),
    profile: previewProfileSchema.optional(),
    /** The run key of a keyed journey (or the key property in trigger.properties). */
    key: z.string().min(1).max(200).optional(),
    /** The trigger event's properties (trigger.* in conditions and templates). */
    trigger: z.strictObject({ properties: jsonObjectSchema.optional() }).optional(),
    /** Events the customer sends during the preview, e.g. a purchase after 2h. */
    events: z.array(previewEventSchema).max(MAX_PREVIEW_EVENTS).optional(),
    /** The moment the run starts; defaults to now. Quiet hours and local-time waits depend on it. */
    start: isoTimestampSchema.optional(),
    /** How far ahead to look, at most 90d. */
    horizon: boundedDuration(MAX_PREVIEW_HORIZON).default(DEFAULT_PREVIEW_HORIZON),
  })
  .superRefine((body, ctx) => {
    if ((body.customerId === undefined) === (body.profile === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['customerId'],
        message: 'give exactly one of customerId (a stored customer) or profile',
      });
    }
    const horizonMs = safeDuration(body.horizon);
    body.events?.forEach((event, index) => {
      const afterMs = safeDuration(event.after);
      if (horizonMs !== null && afterMs !== null && afterMs > horizonMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['events', index, 'after'],
          message: 'must be within the horizon',
        });
      }
    });
  })
  .meta({ id: 'PreviewRequest' });
export type PreviewRequest = z.input<typeof previewRequestSchema>;
export type PreviewRequestParsed = z.output<typeof previewRequestSchema>;

function safeDuration(value: string): number | null {
  try {
    return parseDuration(value);
  } catch {
    return null;
  }
}

export const previewParamsSchema = journeyParamsSchema;

export const previewMessageSchema = z.object({
  at: isoTimestampSchema,
  stepId: z.string(),
  /** Which visit of the step (a step entered again sends again). */
  visit: z.number().int(),
  channel: z.string(),
  /** The email subject, push or in-app title, SMS text or webhook endpoint, unrendered. */
  subject: z.string(),
});

export const previewDecisionSchema = z.object({
  at: isoTimestampSchema,
  stepId: z.string().nullable(),
  kind: z.string(),
  summary: z.string(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

export const previewResultSchema = z
  .object({
    journeyId: z.string(),
    version: z.number().int(),
    customerId: z.string(),
    start: isoTimestampSchema,
    horizonEnd: isoTimestampSchema,
    /** Every message the run would send, in order. Sends are assumed to go out. */
    messages: z.array(previewMessageSchema),
    /** The decisions on the way, with the values conditions saw (contact fields withheld). */
    decisions: z.array(previewDecisionSchema),
    /** Older decisions left out when a long preview exceeded the run's trace limit. */
    decisionsDropped: z.number().int(),
    outcome: z.object({
      /** running: still going at the horizon. */
      status: runStatusSchema,
      finishReason: z.string().nullable(),
      reachedHorizon: z.boolean(),
      currentStepId: z.string().nullable(),
    }),
  })
  .meta({ id: 'PreviewResult' });
export type PreviewResult = z.infer<typeof previewResultSchema>;
