import { z } from 'zod';

/**
 * What a message says, per channel. Every string is Handlebars source rendered at send time; a
 * missing variable fails the send instead of rendering blank. Length limits here are the hard
 * ones of each medium; the send path adapts to the configured (tighter) limits.
 */

export const channelSchema = z.enum(['email', 'sms', 'push', 'webhook', 'in_app']);
export type ChannelName = z.infer<typeof channelSchema>;

export const emailContentSchema = z.object({
  subject: z.string().min(1).max(998),
  html: z.string().min(1),
  text: z.string().min(1).optional(),
});
export type EmailContent = z.infer<typeof emailContentSchema>;

export const smsContentSchema = z.object({ text: z.string().min(1).max(1600) });
export type SmsContent = z.infer<typeof smsContentSchema>;

export const pushContentSchema = z.object({
  title: z.string().min(1).max(500),
  body: z.string().min(1).max(2000),
  /** Opened in the app when the notification is tapped; never cut by adaptation. */
  deepLink: z.string().min(1).max(2000).optional(),
  data: z.record(z.string(), z.string()).optional(),
  priority: z.enum(['normal', 'high']).default('high'),
});
export type PushContent = z.infer<typeof pushContentSchema>;

export const webhookContentSchema = z.object({
  /** The name of a configured endpoint (WEBHOOK_ENDPOINTS), never a URL: journeys cannot aim requests. */
  endpoint: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must name a configured webhook endpoint'),
  /** JSON sent as the request body; string values are templates. */
  payload: z.record(z.string(), z.json()).default({}),
});
export type WebhookContent = z.infer<typeof webhookContentSchema>;

export const inAppContentSchema = z.object({
  title: z.string().min(1).max(500),
  body: z.string().min(1).max(5000),
  actionUrl: z.string().min(1).max(2000).optional(),
  data: z.record(z.string(), z.json()).optional(),
});
export type InAppContent = z.infer<typeof inAppContentSchema>;

export const contentSchemas = {
  email: emailContentSchema,
  sms: smsContentSchema,
  push: pushContentSchema,
  webhook: webhookContentSchema,
  in_app: inAppContentSchema,
} as const;

export interface ContentByChannel {
  email: EmailContent;
  sms: SmsContent;
  push: PushContent;
  webhook: WebhookContent;
  in_app: InAppContent;
}

/** One message on one channel, content typed by the channel. */
export type ChannelMessage = {
  [C in ChannelName]: { channel: C; content: ContentByChannel[C] };
}[ChannelName];

export const channelMessageSchema = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('email'), content: emailContentSchema }),
  z.object({ channel: z.literal('sms'), content: smsContentSchema }),
  z.object({ channel: z.literal('push'), content: pushContentSchema }),
  z.object({ channel: z.literal('webhook'), content: webhookContentSchema }),
  z.object({ channel: z.literal('in_app'), content: inAppContentSchema }),
]);
