import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { waitForArrivals } from './arrivals';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** A message the peer accepted, parsed, with the SMTP envelope it arrived with. */
export type ParsedMessage = ParsedMail & { envelope: { from: string | null; to: string[] } };

export interface SmtpPeer {
  /** smtp://127.0.0.1:<port> */
  url: string;
  /** Every accepted message, in arrival order; a message is here before the client sees "250". */
  messages: ParsedMessage[];
  /** How many recipients the peer refused through rejectNext. */
  rejected: number;
  waitForMessages(count: number, timeoutMs?: number): Promise<ParsedMessage[]>;
  /** Refuses the next recipient with this SMTP reply (e.g. 550 or 451), then accepts again. */
  rejectNext(code: number, message: string): void;
  stop(): Promise<void>;
}

/**
 * A real SMTP server on an ephemeral localhost port, for tests that send through nodemailer.
 * `dataDelayMs` makes it take that long to answer each message's DATA (a slow server).
 */
export async function startSmtpPeer(options: { dataDelayMs?: number } = {}): Promise<SmtpPeer> {
  const messages: ParsedMessage[] = [];
  const arrivals = new EventEmitter();
  const rejections: { code: number; message: string }[] = [];
  let rejected = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    onRcptTo(_address, _session, callback) {
      const rejection = rejections.shift();
      if (!rejection) return callback();
      rejected += 1;
      callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          if (options.dataDelayMs) await delay(options.dataDelayMs);
          messages.push(Object.assign(mail, { envelope: envelopeOf(session) }));
          arrivals.emit('message');
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get rejected() {
      return rejected;
    },
    waitForMessages: (count, timeoutMs = 5_000) =>
      waitForArrivals(messages, count, arrivals, 'message', timeoutMs, 'message(s)'),
    rejectNext(code, message) {
      rejections.push({ code, message });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function envelopeOf(session: SMTPServerSession): ParsedMessage['envelope'] {
  const from = session.envelope.mailFrom;
  return {
    from: from ? from.address : null,
    to: session.envelope.rcptTo.map((recipient) => recipient.address),
  };
}
