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
  /** false: stored, and the background router will deliver it once Temporal answers. */
  routed: z.boolean(),
});
export type EventResult = z.infer<typeof eventResultSchema>;

export const eventBatchResultSchema = z.object({ items: z.array(eventResultSchema) });
export type EventBatchResult = z.infer<typeof eventBatchResultSchema>;
