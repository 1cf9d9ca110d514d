import { z } from 'zod';
import { isoTimestampSchema, jsonObjectSchema } from './common';
import { deliveryStatusSchema } from './deliveries';
import { runStatusSchema } from './runs';

/**
 * The per-customer timeline: one list, in order, of everything that explains why a customer did
 * or did not get a message. Ids, states, reasons and the values decisions saw; never an address,
 * a subject or an event's properties.
 */

export const timelineQuerySchema = z.object({
  /** Only items at or after this time. */
  since: isoTimestampSchema.optional(),
  /** Only items before this time. */
  until: isoTimestampSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
/** ISO-8601 times; limit 1–1000 (default 200). */
export interface TimelineQuery {
  since?: string;
  until?: string;
  limit?: number;
}

const eventItemSchema = z.object({
  kind: z.literal('event'),
  at: isoTimestampSchema,
  eventId: z.string(),
  type: z.string(),
  source: z.string().nullable(),
  /** Engagement and provider events (opens, clicks, bounces) name their delivery. */
  deliveryId: z.string().nullable(),
  /** e.g. { machineOpen: true } or { bot: true }. */
  flags: jsonObjectSchema.nullable(),
});

/** Whether the run's decisions came from Temporal just now (live) or from the stored trace. */
const runFields = {
  workflowId: z.string(),
  runId: z.string().nullable(),
  journeyId: z.string(),
  version: z.number().int(),
  live: z.boolean(),
};

const runEnteredItemSchema = z.object({
  kind: z.literal('run_entered'),
  at: isoTimestampSchema,
  ...runFields,
  key: z.string().nullable(),
  triggerEventId: z.string().nullable(),
});

const runExitedItemSchema = z.object({
  kind: z.literal('run_exited'),
  at: isoTimestampSchema,
  ...runFields,
  status: runStatusSchema,
  /** completed, exit_event, goal_reached, max_duration, cancelled, ... */
  reason: z.string().nullable(),
});

const decisionItemSchema = z.object({
  kind: z.literal('decision'),
  at: isoTimestampSchema,
  ...runFields,
  stepId: z.string().nullable(),
  /**
   * The interpreter's decision kind: entered, condition, branch, wait_scheduled, event_matched,
   * timeout, send_result, send_fallback, send_deferred, quiet_hours, goal, finished, ... (open:
   * new kinds appear as the journey language grows).
   */
  decision: z.string(),
  summary: z.string(),
  /** The values the decision saw (contact fields withheld by the interpreter). */
  detail: jsonObjectSchema.nullable(),
});

const deliveryItemSchema = z.object({
  kind: z.literal('delivery'),
  /** When the ledger row was written (the send began). */
  at: isoTimestampSchema,
  deliveryId: z.string(),
  workflowId: z.string(),
  journeyId: z.string(),
  version: z.number().int(),
  stepId: z.string(),
  channel: z.string(),
  messageKind: z.string(),
  status: deliveryStatusSchema,
  /** Why it was skipped, failed or deferred: no_consent, no_device_tokens, frequency_capped, ... */
  reason: z.string().nullable(),
  providerCode: z.string().nullable(),
  attempts: z.number().int(),
  sentAt: isoTimestampSchema.nullable(),
  /** Opens and clicks linked to this delivery; flagged counts machine opens and bot clicks. */
  engagement: z.object({
    opens: z.number().int(),
    clicks: z.number().int(),
    flagged: z.number().int(),
  }),
});

const conversionItemSchema = z.object({
  kind: z.literal('conversion'),
  at: isoTimestampSchema,
  eventId: z.string(),
  model: z.enum(['last_touch', 'first_touch', 'linear', 'time_decay']),
  deliveryId: z.string(),
  journeyId: z.string(),
  stepId: z.string(),
  channel: z.string(),
  weight: z.number(),
  revenue: z.number(),
  currency: z.string().nullable(),
});

/**
 * A score changed: an event counted by a decaying score (src/scores), with the points it added
 * when it happened; or an RFM recompute that moved the customer's cell (eventId and eventType
 * are its score_changed event's, points the change of r + f + m, from and to the cells, null for
 * none: the customer's purchases left the window).
 */
const scoreChangedItemSchema = z.object({
  kind: z.literal('score_changed'),
  at: isoTimestampSchema,
  scoreId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  points: z.number(),
  from: z.string().nullable().optional(),
  to: z.string().nullable().optional(),
});

/** A segment entry or exit (the segment_entered / segment_exited event, read). */
const segmentItemSchema = z.object({
  kind: z.literal('segment'),
  at: isoTimestampSchema,
  eventId: z.string(),
  change: z.enum(['entered', 'exited']),
  segmentId: z.string(),
  /** The segment version that decided it. */
  version: z.number().int().nullable(),
});

/** A move between lifecycle stages (the lifecycle_changed event, read). */
const lifecycleItemSchema = z.object({
  kind: z.literal('lifecycle_stage'),
  at: isoTimestampSchema,
  eventId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
});

export const timelineItemSchema = z
  .discriminatedUnion('kind', [
    segmentItemSchema,
    lifecycleItemSchema,
    eventItemSchema,
    runEnteredItemSchema,
    runExitedItemSchema,
    decisionItemSchema,
    deliveryItemSchema,
    conversionItemSchema,
    scoreChangedItemSchema,
  ])
  .meta({ id: 'TimelineItem' });
export type TimelineItem = z.infer<typeof timelineItemSchema>;
export type TimelineItemKind = TimelineItem['kind'];

export const timelineRunSchema = z.object({
  workflowId: z.string(),
  runId: z.string().nullable(),
  journeyId: z.string(),
  version: z.number().int(),
  status: runStatusSchema,
  /** true: decisions from Temporal's state query now; false: the trace stored when it ended. */
  live: z.boolean(),
  /** false when neither Temporal nor the registry had the run's decisions. */
  traceAvailable: z.boolean(),
});
export type TimelineRun = z.infer<typeof timelineRunSchema>;

export const timelineSchema = z
  .object({
    customerId: z.string(),
    items: z.array(timelineItemSchema),
    /** The runs that contributed items, oldest first. */
    runs: z.array(timelineRunSchema),
    /**
     * More items match than `limit`: ask again with `since` at the last item's time (items at
     * exactly that time come again, in the same order).
     */
    hasMore: z.boolean(),
  })
  .meta({ id: 'Timeline' });
export type Timeline = z.infer<typeof timelineSchema>;
