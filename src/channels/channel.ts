import type { WireTurn } from './wire-turns';
import type { JsonObject } from '../journeys/run-types';

/**
 * The one interface every provider sits behind. A channel sends one message and either returns the
 * provider's id for it or throws a ChannelError saying whether trying again can help.
 */
export interface Channel<TMessage> {
  readonly name: string;
  /** Sends on the connection `turn` holds, if given (else it waits for one itself). */
  send(message: TMessage, turn?: WireTurn): Promise<SendReceipt>;
  /**
   * Waits for a connection a send can use at once, and holds it (see wire-turns.ts). Only
   * channels that queue sends on a pool of connections have turns.
   */
  awaitTurn?(): Promise<WireTurn>;
  /** Releases connections; the channel is unusable afterwards. */
  close(): Promise<void>;
}

export interface SendReceipt {
  providerMessageId: string;
  /** The provider's status or code for an accepted message (e.g. Twilio's "queued"). */
  providerCode?: string;
  /** Channel-specific facts recorded on the delivery row (segments, per-token results, ...). */
  detail?: JsonObject;
}

/** An email ready for the wire: rendered, addressed, and tied to its ledger row. */
export interface OutboundEmail {
  /** The delivery ledger id; the Message-ID header is derived from it, so duplicates are detectable. */
  deliveryId: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Overrides the channel's configured sender. */
  from?: string;
  /** RFC 8058 one-click unsubscribe: sets List-Unsubscribe and List-Unsubscribe-Post. */
  listUnsubscribe?: { url: string };
}

export type EmailChannel = Channel<OutboundEmail>;

/** An SMS ready for the wire: text already adapted to the segment policy, number in E.164. */
export interface OutboundSms {
  deliveryId: string;
  to: string;
  text: string;
}

export type SmsChannel = Channel<OutboundSms>;

/** A push notification for every device token of one customer. */
export interface OutboundPush {
  deliveryId: string;
  tokens: string[];
  title: string;
  body: string;
  /** Opened by the app when the notification is tapped. */
  deepLink?: string;
  data?: Record<string, string>;
  priority: 'normal' | 'high';
}

/**
 * Push sends to several tokens at once: the receipt says which tokens took the message and which
 * the provider reported unregistered/invalid (to be removed from the profile). The send throws a
 * ChannelError only when no token took the message.
 */
export interface PushReceipt extends SendReceipt {
  delivered: string[];
  invalidTokens: string[];
  failed: { token: string; code: string }[];
}

export interface PushChannel extends Channel<OutboundPush> {
  send(message: OutboundPush): Promise<PushReceipt>;
}

/** A signed JSON POST to one configured endpoint. */
export interface OutboundWebhook {
  deliveryId: string;
  /** A name from the configured endpoints (WEBHOOK_ENDPOINTS); never a URL from a journey. */
  endpoint: string;
  payload: JsonObject;
}

export type WebhookChannel = Channel<OutboundWebhook>;

/** An in-app inbox entry. */
export interface OutboundInApp {
  deliveryId: string;
  customerId: string;
  title: string;
  body: string;
  actionUrl?: string;
  data?: JsonObject;
}

export type InAppChannel = Channel<OutboundInApp>;

export type ChannelErrorKind =
  /** The provider may accept the same message later (4xx, connection trouble, timeouts). */
  | 'transient'
  /** Sending this message again will fail the same way (5xx, an invalid address). */
  | 'permanent';

/**
 * A classified provider failure. `code` is machine-readable (e.g. smtp_550, ECONNREFUSED) and the
 * message never carries the provider's response text, which can quote the recipient address.
 */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';

  constructor(
    readonly channel: string,
    readonly kind: ChannelErrorKind,
    readonly code: string,
  ) {
    super(
      `${channel} provider ${kind === 'transient' ? 'temporarily failed' : 'rejected the message'}: ${code}`,
    );
  }
}

export function isChannelError(error: unknown): error is ChannelError {
  return error instanceof ChannelError;
}
