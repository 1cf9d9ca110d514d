import { z } from 'zod';
import { customerIdSchema, isoTimestampSchema } from './common';

/** A topic id is a slug journeys refer to: "newsletter", "product-updates". */
export const topicIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,99}$/,
    'must be 1-100 lower-case letters, digits, "_", "." or "-", starting with a letter or digit',
  );

export const topicModeSchema = z.enum(['opt_in', 'opt_out'], {
  error: 'must be "opt_in" or "opt_out"',
});

export const topicChoiceSchema = z.enum(['subscribed', 'unsubscribed'], {
  error: 'must be "subscribed" or "unsubscribed"',
});

/**
 * PUT body. opt_out topics reach every customer until they unsubscribe; opt_in topics only
 * customers who subscribed. Changing a topic's mode changes that default for everyone without an
 * explicit choice.
 */
export const topicInputSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    description: z.string().max(1000).nullable().optional(),
    mode: topicModeSchema,
  })
  .meta({ id: 'TopicDefinition' });
export type TopicInput = z.input<typeof topicInputSchema>;

export const topicSchema = z
  .object({
    id: topicIdSchema,
    name: z.string(),
    description: z.string().nullable(),
    mode: topicModeSchema,
    createdAt: isoTimestampSchema,
  })
  .meta({ id: 'Topic' });
export type Topic = z.infer<typeof topicSchema>;

export const topicUpsertResponseSchema = z.object({ topic: topicSchema, created: z.boolean() });
export type TopicUpsertResponse = z.infer<typeof topicUpsertResponseSchema>;

export const topicListSchema = z.object({ topics: z.array(topicSchema) });
export type TopicList = z.infer<typeof topicListSchema>;

export const topicParamsSchema = z.object({ id: topicIdSchema });
export const customerTopicParamsSchema = z.object({ id: customerIdSchema, topicId: topicIdSchema });

export const customerTopicInputSchema = z
  .strictObject({ status: topicChoiceSchema })
  .meta({ id: 'CustomerTopicChoice' });
export type CustomerTopicInput = z.input<typeof customerTopicInputSchema>;

/** A topic as it applies to one customer. */
export const customerTopicSchema = z
  .object({
    topicId: topicIdSchema,
    name: z.string(),
    mode: topicModeSchema,
    /** The customer's explicit choice; null: none (the mode decides). */
    choice: topicChoiceSchema.nullable(),
    /** Whether marketing messages of this topic may reach the customer. */
    subscribed: z.boolean(),
  })
  .meta({ id: 'CustomerTopic' });
export type CustomerTopic = z.infer<typeof customerTopicSchema>;

export const customerTopicListSchema = z.object({ topics: z.array(customerTopicSchema) });
export type CustomerTopicList = z.infer<typeof customerTopicListSchema>;
