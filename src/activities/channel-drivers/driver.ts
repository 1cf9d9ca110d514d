import type { SendReceipt } from '../../channels/channel';
import type { ChannelName, ContentByChannel } from '../../journeys/channel-content';
import type { TemplateScope } from '../../templates/template-scope';
import type { CustomerRow } from '../profiles';
import type { ActivityDeps } from '../types';

/** A message made ready for one customer on one channel, not yet handed to the provider. */
export interface PreparedMessage {
  /** Stored on the ledger row: the address, number, endpoint or device count it goes to. */
  recipient: string;
  /** Stored on the ledger row: the email subject, push or in-app title, or a short label. */
  summary: string;
  send(deliveryId: string): Promise<SendReceipt>;
  /** Bookkeeping after the ledger recorded the send (e.g. dropping dead push tokens). */
  afterSend?(receipt: SendReceipt): Promise<void>;
}

/** Why this message does not go out: `skipped` cannot reach the customer, `failed` is a defect. */
export type NotSendable = { skipped: string } | { failed: string };

export interface PrepareInput<C extends ChannelName> {
  deps: ActivityDeps;
  customer: CustomerRow;
  content: ContentByChannel[C];
  scope: TemplateScope;
  messageKind: 'marketing' | 'transactional';
  deliveryId: string;
  topic?: string;
  /** False when the journey or step turned open/click tracking off. */
  tracking?: boolean;
}

/**
 * Reads the customer's address and consent for the channel (fresh, never cached), renders and
 * adapts the content. Throws TemplateError when a template does not render.
 */
export type PrepareMessage<C extends ChannelName> = (
  input: PrepareInput<C>,
) => Promise<PreparedMessage | NotSendable>;

export function isNotSendable(value: PreparedMessage | NotSendable): value is NotSendable {
  return 'skipped' in value || 'failed' in value;
}
