import type { ChannelMessage } from './channel-content';
import { parseDuration } from './durations';
import type { SendOutcome } from './run-types';
import type { SendStep } from './schema';

/** One message of a send step, normalised from either form of the step. */
export type PlannedMessage = ChannelMessage & {
  /** Milliseconds after the run entered the step. */
  offsetMs: number;
  fallback: ChannelMessage | null;
};

/** The messages of a send step in order, whichever form the step was written in. */
export function messagesOf(step: SendStep): PlannedMessage[] {
  if (step.messages) {
    return step.messages.map((message) => ({
      channel: message.channel,
      content: message.content,
      offsetMs: message.offset ? parseDuration(message.offset) : 0,
      fallback: message.fallback ?? null,
    })) as PlannedMessage[];
  }
  // The schema checked that the shorthand content fits its channel.
  const single = { channel: step.channel, content: step.content } as ChannelMessage;
  return [{ ...single, offsetMs: 0, fallback: step.fallback ?? null }];
}

/** Skip reasons that mean "this channel cannot reach the customer", so another one may. */
const UNREACHABLE = new Set([
  'no_address',
  'no_email',
  'no_phone',
  'invalid_phone',
  'no_device_tokens',
  'no_consent',
  'channel_not_configured',
]);

/**
 * Whether the outcome of a message calls for its fallback: the customer cannot be reached on
 * that channel (no address, no consent) or the provider refused it for good. A render error is
 * a defect in the journey and is not papered over by another channel.
 */
export function wantsFallback(outcome: SendOutcome): boolean {
  const reason = outcome.reason ?? '';
  if (outcome.status === 'skipped') return UNREACHABLE.has(reason);
  if (outcome.status === 'failed') {
    return reason.startsWith('provider_rejected') || reason.startsWith('send_retries_exhausted');
  }
  return false;
}
