import nodemailer from 'nodemailer';
import type { EmailChannel, OutboundEmail, SendReceipt } from './channel';
import { classifySmtpError } from './smtp-errors';
import { createWireTurns, type WireTurn } from './wire-turns';

/** SMTP sessions a pooled channel keeps open; sends beyond it wait for a turn. */
const POOLED_CONNECTIONS = 5;

export interface EmailChannelOptions {
  /** SMTP_URL: smtp://host:port or smtps://user:pass@host:port. */
  url: string;
  /** Default sender, e.g. "Cairn <journeys@example.com>". */
  from: string;
  /** Domain of the Message-ID header; defaults to the sender's domain. */
  messageIdDomain?: string;
  /** Reuse connections (default true); a pool keeps a few SMTP sessions open between sends. */
  pool?: boolean;
  timeouts?: { connectMs?: number; greetingMs?: number; socketMs?: number };
}

/**
 * Email over SMTP (nodemailer). The Message-ID is derived from the delivery id, so a duplicate
 * that slips through anywhere downstream carries the same id as the original.
 */
export function createEmailChannel(options: EmailChannelOptions): EmailChannel {
  const url = parseSmtpUrl(options.url);
  const domain = options.messageIdDomain ?? senderDomain(options.from);
  const pooled = options.pool ?? true;
  const transport = nodemailer.createTransport({
    url: url.toString(),
    pool: pooled,
    maxConnections: POOLED_CONNECTIONS,
    connectionTimeout: options.timeouts?.connectMs ?? 10_000,
    greetingTimeout: options.timeouts?.greetingMs ?? 10_000,
    socketTimeout: options.timeouts?.socketMs ?? 30_000,
    dnsTimeout: 10_000,
  });

  // As many sends at once as the pool has connections, so none waits inside nodemailer's queue.
  const turns = pooled ? createWireTurns(POOLED_CONNECTIONS) : null;

  return {
    name: 'email',
    ...(turns ? { awaitTurn: () => turns.take() } : {}),
    async send(message: OutboundEmail, turn?: WireTurn): Promise<SendReceipt> {
      const messageId = `<${message.deliveryId}@${domain}>`;
      const own = turn || !turns ? null : await turns.take();
      try {
        await transport.sendMail({
          from: message.from ?? options.from,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          messageId,
          ...listUnsubscribeOptions(message),
          // Ledger state is the source of truth; never let nodemailer read files or URLs from content.
          disableFileAccess: true,
          disableUrlAccess: true,
        });
      } catch (error) {
        throw classifySmtpError(error);
      } finally {
        own?.release();
      }
      return { providerMessageId: messageId };
    },
    close(): Promise<void> {
      transport.close();
      return Promise.resolve();
    },
  };
}

/**
 * RFC 8058: List-Unsubscribe carries the https URL, and List-Unsubscribe-Post tells the mailbox
 * provider it may POST "List-Unsubscribe=One-Click" to it without showing the customer a page.
 * nodemailer's `list` option writes the URL in angle brackets, folded safely.
 */
function listUnsubscribeOptions(message: OutboundEmail) {
  if (!message.listUnsubscribe) return {};
  const url = message.listUnsubscribe.url;
  if (!/^https?:\/\/[^\s<>]+$/.test(url)) {
    throw new Error('listUnsubscribe.url must be an http(s) URL without spaces or angle brackets');
  }
  return {
    list: { unsubscribe: url },
    headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

/** Validates SMTP_URL; the error never echoes the URL, which may hold credentials. */
export function parseSmtpUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      'SMTP_URL is not a valid URL (expected smtp://host:port or smtps://user:pass@host:port)',
    );
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must use smtp: or smtps:, not ${url.protocol}`);
  }
  if (!url.hostname) throw new Error('SMTP_URL has no host');
  return url;
}

function senderDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  if (!match?.[1]) throw new Error('the email sender address has no domain');
  return match[1].toLowerCase();
}
