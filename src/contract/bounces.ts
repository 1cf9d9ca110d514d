import { z } from 'zod';
import { isoTimestampSchema } from './common';

export const MAX_BOUNCE_EVENTS = 500;

export const bounceTypeSchema = z.enum(['hard_bounce', 'soft_bounce', 'complaint'], {
  error: 'must be one of "hard_bounce", "soft_bounce" or "complaint"',
});

/**
 * One report from an email service provider (or any relay): translate the provider's own webhook
 * into this shape. The address is checked against the channel on the server.
 */
export const bounceReportSchema = z.strictObject({
  type: bounceTypeSchema,
  channel: z.enum(['email', 'sms'], { error: 'must be "email" or "sms"' }).default('email'),
  address: z.string().min(1, 'must not be empty').max(4096),
  /** The provider's id for the message (the SMTP Message-ID or its own), to find the delivery. */
  providerMessageId: z.string().min(1, 'must not be empty').max(500).optional(),
  /** Cairn's delivery id, when the provider passes it back (e.g. from a message header). */
  deliveryId: z.uuid({ message: 'must be a delivery id (UUID)' }).optional(),
  occurredAt: isoTimestampSchema.optional(),
  /**
   * A machine-readable code, e.g. an enhanced status "5.1.1", "smtp_550" or "mailbox_full".
   * Never the provider's diagnostic text, which quotes the address.
   */
  reason: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/,
      'must be a code of 1-64 letters, digits, "_", ".", ":" or "-" (not diagnostic text)',
    )
    .optional(),
});
export type BounceReportInput = z.input<typeof bounceReportSchema>;
export type BounceReportItem = z.output<typeof bounceReportSchema>;

/** POST /v1/webhooks/bounces. Schema ids must not end in "Input" (see suppressions.ts). */
export const bounceWebhookSchema = z
  .strictObject({
    events: z.array(bounceReportSchema).min(1).max(MAX_BOUNCE_EVENTS),
  })
  .meta({ id: 'BounceWebhookRequest' });
export type BounceWebhookRequest = z.input<typeof bounceWebhookSchema>;

export const bounceWebhookResultSchema = z
  .object({
    /** Reports applied (all of them: the batch is all or nothing). */
    received: z.number().int(),
    /** Addresses newly suppressed (an address suppressed before is not counted again). */
    suppressed: z.number().int(),
    /** Reports that named a delivery Cairn knows. */
    deliveriesMatched: z.number().int(),
    /** Deliveries whose ledger row now shows the bounce or complaint. */
    deliveriesUpdated: z.number().int(),
    /** Events newly stored (a repeated report stores none). */
    eventsStored: z.number().int(),
  })
  .meta({ id: 'BounceWebhookResult' });
export type BounceWebhookResult = z.infer<typeof bounceWebhookResultSchema>;
