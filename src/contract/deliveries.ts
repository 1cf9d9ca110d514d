import { z } from 'zod';
import { isoTimestampSchema } from './common';

export const deliveryStatusSchema = z.enum([
  'pending',
  'sending',
  'sent',
  'skipped',
  'failed',
  'unknown',
]);

/** A delivery as the API shows it: ids, states and reasons, no recipient address or content. */
export const deliverySchema = z
  .object({
    id: z.string(),
    journeyId: z.string(),
    journeyVersion: z.number().int(),
    workflowId: z.string(),
    stepId: z.string(),
    channel: z.string(),
    messageKind: z.string(),
    status: deliveryStatusSchema,
    /** Machine-readable reason for skipped, failed or unknown (no_consent, over_cap, ...). */
    reason: z.string().nullable(),
    attempts: z.number().int(),
    providerMessageId: z.string().nullable(),
    createdAt: isoTimestampSchema,
    updatedAt: isoTimestampSchema,
    sentAt: isoTimestampSchema.nullable(),
  })
  .meta({ id: 'Delivery' });
export type Delivery = z.infer<typeof deliverySchema>;

export const deliveryListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** GET /v1/deliveries: deliveries across customers by status; only `unknown` for now. */
export const deliveriesByStatusQuerySchema = z.object({
  status: z.enum(['unknown']),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const deliveryListSchema = z.object({ deliveries: z.array(deliverySchema) });
export type DeliveryList = z.infer<typeof deliveryListSchema>;
