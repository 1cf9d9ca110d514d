import type { SendReceipt } from '../../channels/channel';
import type { WireTurn } from '../../channels/wire-turns';
import type { SuppressionChannel } from '../../guardrails/suppression';
import type { ChannelName, ContentByChannel } from '../../journeys/channel-content';
import type { TemplateScope } from '../../templates/template-scope';
import type { CustomerRow } from '../../customers';
import type { ActivityDeps } from '../types';

/**
 * Where a message goes, found fresh from the customer: the addresses the suppression check reads.
 * Webhook and in-app messages reach no address of the customer, so they carry none.
 */
export interface Recipient {
  /** The suppression list's channel for `addresses`; null when the channel has no address. */
  suppressionChannel: SuppressionChannel | null;
  /** The email address, the E.164 number, or every device token. */
  addresses: string[];
}

/** The recipient of a channel that reaches no address of the customer, once it is configured. */
export function withoutAddress(configured: boolean): Promise<Recipient | { skipped: string }> {
  return Promise.resolve(
    configured
      ? { suppressionChannel: null, addresses: [] }
      : { skipped: 'channel_not_configured' },
  );
}

/** A message made ready for one customer on one channel, not yet handed to the provider. */
export interface PreparedMessage {
  /** Stored on the ledger row: the address, number, endpoint or device count it goes to. */
  recipient: string;
  /** Stored on the ledger row: the email subject, push or in-app title, or a short label. */
  summary: string;
  /**
   * For a channel with pooled connections: waits for one to be free and holds it. The send path
   * waits for it before it claims the message, so a claimed message goes on the wire at once.
   */
  awaitTurn?(): Promise<WireTurn>;
  send(deliveryId: string, turn?: WireTurn): Promise<SendReceipt>;
  /** Bookkeeping after the ledger recorded the send (e.g. dropping dead push tokens). */
  afterSend?(receipt: SendReceipt): Promise<void>;
}

/** Why this message does not go out: `skipped` cannot reach the customer, `failed` is a defect. */
export type NotSendable = { skipped: string } | { failed: string };

export interface RecipientInput {
  deps: ActivityDeps;
  customer: CustomerRow;
}

export interface PrepareInput<C extends ChannelName> extends RecipientInput {
  /** The recipient the send checks allowed (suppressed push tokens already left out). */
  recipient: Recipient;
  content: ContentByChannel[C];
  scope: TemplateScope;
  messageKind: 'marketing' | 'transactional';
  deliveryId: string;
  topic?: string;
  /** False when the journey or step turned open/click tracking off. */
  tracking?: boolean;
}

/**
 * One channel's part of the send path: find the address, then render and adapt the content.
 * Consent, suppression, topics and caps are not a driver's business: src/guardrails/send-checks.ts
 * decides them, between the two steps, for every channel alike.
 */
export interface ChannelDriver<C extends ChannelName> {
  /** The customer's address on this channel, read now; or why there is none. */
  findRecipient(input: RecipientInput): Promise<Recipient | { skipped: string }>;
  /** Renders and adapts the content. Throws TemplateError when a template does not render. */
  prepare(input: PrepareInput<C>): Promise<PreparedMessage | NotSendable>;
}
