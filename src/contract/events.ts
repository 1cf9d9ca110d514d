import { z } from 'zod';
import { customerIdSchema, isoTimestampSchema, jsonObjectSchema } from './common';

export const MAX_BATCH_EVENTS = 500;

export const eventTypeSchema = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/,
    'must start with a letter; letters, digits, "_", ".", ":" or "-", at most 100',
  );

export const eventInputSchema = z
  .strictObject({
    /** The caller's idempotency id: sending the same id again stores and routes nothing new. */
    id: z.string().min(1, 'must not be empty').max(200),
    customerId: customerIdSchema,
    type: eventTypeSchema,
    /** When it happened; defaults to the time the API received it. */
    occurredAt: isoTimestampSchema.optional(),
    properties: jsonObjectSchema.optional(),
    /**
     * The message this event is about (e.g. push_opened reported by the app): it then goes only
     * to the run that sent that message, and counts as engagement with it.
     */
    deliveryId: z.uuid('must be a delivery id (uuid)').optional(),
  })
  .meta({ id: 'EventInput' });
export type EventInput = z.input<typeof eventInputSchema>;

export const eventBatchSchema = z.strictObject({
  items: z.array(eventInputSchema).min(1).max(MAX_BATCH_EVENTS),
});
export type EventBatch = z.input<typeof eventBatchSchema>;

export const eventResultSchema = z.object({
  id: z.string(),
  /** true: this id was already stored; nothing new was routed. */
  duplicate: z.boolean(),
  /**
   * Already routed: true only for a duplicate whose first copy has been routed. A new event is
   * stored and answered at once (false); the router delivers it in the background. To know when
   * it is routed and which runs it started, GET /v1/events/{id}?waitMs=.
   */
  routed: z.boolean(),
});
export type EventResult = z.infer<typeof eventResultSchema>;

export const eventBatchResultSchema = z.object({ items: z.array(eventResultSchema) });
export type EventBatchResult = z.infer<typeof eventBatchResultSchema>;

export const MAX_EVENT_WAIT_MS = 30_000;

export const eventParamsSchema = z.object({ id: z.string().min(1).max(200) });

export const eventStateQuerySchema = z.object({
  /** Wait up to this long (ms) for the event to be routed; the state is answered either way. */
  waitMs: z.coerce
    .number('must be a number of milliseconds')
    .int('must be a whole number of milliseconds')
    .min(0, 'must be at least 0')
    .max(MAX_EVENT_WAIT_MS, `must be at most ${MAX_EVENT_WAIT_MS}`)
    .default(0),
});
export type EventStateQuery = z.input<typeof eventStateQuerySchema>;

export const eventStateSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    customerId: z.string(),
    receivedAt: z.string(),
    /** true once the router has started or signalled every journey run the event concerns. */
    routed: z.boolean(),
    routedAt: z.string().nullable(),
    routingAttempts: z.number().int(),
    /** The last routing failure (e.g. Temporal unreachable); never event data. */
    routingError: z.string().nullable(),
    /** Workflow ids of the journey runs this event started as their trigger. */
    runsStarted: z.array(z.string()),
  })
  .meta({ id: 'EventState' });
export type EventState = z.infer<typeof eventStateSchema>;
