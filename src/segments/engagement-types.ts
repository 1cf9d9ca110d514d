/**
 * Human engagement with our messages, by event type: the types of ENGAGEMENT_EVENT_TYPES
 * (src/customers/engagement.ts), each with its channel and action. Opens include in-app reads.
 */
export const ENGAGEMENT_TYPES: Readonly<
  Record<string, { channel: 'email' | 'sms' | 'push' | 'in_app'; action: 'opened' | 'clicked' }>
> = {
  email_opened: { channel: 'email', action: 'opened' },
  email_clicked: { channel: 'email', action: 'clicked' },
  sms_clicked: { channel: 'sms', action: 'clicked' },
  push_opened: { channel: 'push', action: 'opened' },
  in_app_read: { channel: 'in_app', action: 'opened' },
};

/** The event types an `engaged` condition counts, for its action and channel. */
export function engagementTypesFor(
  action: 'opened' | 'clicked' | 'any',
  channel: 'email' | 'sms' | 'push' | 'in_app' | undefined,
): string[] {
  return Object.entries(ENGAGEMENT_TYPES)
    .filter(([, kind]) => action === 'any' || kind.action === action)
    .filter(([, kind]) => channel === undefined || kind.channel === channel)
    .map(([type]) => type);
}
