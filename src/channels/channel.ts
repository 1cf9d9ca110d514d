/**
 * The one interface every provider sits behind. A channel sends one message and either returns the
 * provider's id for it or throws a ChannelError saying whether trying again can help.
 */
export interface Channel<TMessage> {
  readonly name: string;
  send(message: TMessage): Promise<SendReceipt>;
  /** Releases connections; the channel is unusable afterwards. */
  close(): Promise<void>;
}

export interface SendReceipt {
  providerMessageId: string;
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
}

export type EmailChannel = Channel<OutboundEmail>;

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
