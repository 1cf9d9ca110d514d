import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { isE164 } from '../../src/channels/phone-number';
import { countSegments } from '../../src/channels/sms-segments';
import { waitForArrivals } from './arrivals';

/** A message the peer accepted, with the form fields exactly as the SDK sent them. */
export interface ReceivedSms {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  form: Record<string, string>;
  contentType: string | undefined;
}

export interface ScriptedFailure {
  code?: number;
  message?: string;
}

export interface TwilioPeer {
  /** http://127.0.0.1:<port>: the channel's apiBaseUrl. */
  url: string;
  accountSid: string;
  authToken: string;
  /** Accepted messages in arrival order; a message is here before the SDK sees the 201. */
  messages: ReceivedSms[];
  /** Every POST to the Messages resource, accepted or not. */
  requests: number;
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedSms[]>;
  /** Answers the next request with this HTTP status and Twilio error body, then accepts again. */
  failNext(status: number, error?: ScriptedFailure): void;
  /** Reads the next request and never answers it (for client timeouts). */
  stallNext(): void;
  /**
   * Posts a signed status callback for an accepted message to its StatusCallback URL, as Twilio
   * does. `via` replaces the URL's origin for the connection only (a reverse proxy in front of
   * the API): the signature still covers the public URL.
   */
  reportStatus(
    sid: string,
    status: string,
    options?: { errorCode?: number; via?: string },
  ): Promise<Response>;
  stop(): Promise<void>;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

/**
 * A local HTTP server speaking Twilio's Messages REST wire format (form-encoded request, JSON
 * response, basic auth with account SID and auth token), for the real twilio SDK to talk to.
 */
export async function startTwilioPeer(
  credentials: { accountSid?: string; authToken?: string } = {},
): Promise<TwilioPeer> {
  const accountSid = credentials.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = credentials.authToken ?? randomBytes(16).toString('hex');
  const messages: ReceivedSms[] = [];
  const arrivals = new EventEmitter();
  const script: ({ kind: 'fail'; status: number; error: ScriptedFailure } | { kind: 'stall' })[] =
    [];
  let requests = 0;

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const match = MESSAGES_PATH.exec(req.url ?? '');
        if (req.method !== 'POST' || !match) {
          return json(res, 404, twilioError(404, 20404, 'The requested resource was not found'));
        }
        requests += 1;
        const step = script.shift();
        if (step?.kind === 'stall') return;
        if (step?.kind === 'fail') {
          const { code, message } = step.error;
          return json(res, step.status, twilioError(step.status, code, message ?? 'Scripted'));
        }
        if (!authorised(req, match[1], accountSid, authToken)) {
          return json(res, 401, twilioError(401, 20003, 'Authenticate'));
        }
        const form = Object.fromEntries(new URLSearchParams(raw));
        const rejection = validate(form);
        if (rejection) return json(res, 400, rejection);
        const message = accept(form, accountSid, req.headers['content-type']);
        messages.push(message);
        arrivals.emit('message');
        json(res, 201, resource(message));
      })
      .catch(() => res.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    get requests() {
      return requests;
    },
    waitForMessages: (count, timeoutMs = 5_000) =>
      waitForArrivals(messages, count, arrivals, 'message', timeoutMs, 'SMS'),
    failNext(status, error = {}) {
      script.push({ kind: 'fail', status, error });
    },
    stallNext() {
      script.push({ kind: 'stall' });
    },
    reportStatus(sid, status, { errorCode, via } = {}) {
      const message = messages.find((m) => m.sid === sid);
      if (!message?.statusCallback) throw new Error(`no status callback recorded for ${sid}`);
      const params: Record<string, string> = {
        AccountSid: accountSid,
        MessageSid: sid,
        SmsSid: sid,
        MessageStatus: status,
        SmsStatus: status,
        To: message.to,
        From: message.from ?? '+15005550006',
        ApiVersion: '2010-04-01',
        ...(errorCode !== undefined ? { ErrorCode: String(errorCode) } : {}),
      };
      return postSigned(authToken, message.statusCallback, params, { via });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The X-Twilio-Signature Twilio computes for a form POST to `url`. */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** A form-encoded POST signed like Twilio's webhooks (signature over the full URL and params). */
export function postSigned(
  authToken: string,
  url: string,
  params: Record<string, string>,
  options: { via?: string | undefined; signature?: string } = {},
): Promise<Response> {
  const signature = options.signature ?? twilioSignature(authToken, url, params);
  const target = options.via ? options.via + url.slice(new URL(url).origin.length) : url;
  return fetch(target, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
      'user-agent': 'TwilioProxy/1.1',
    },
    body: new URLSearchParams(params).toString(),
  });
}

function authorised(
  req: IncomingMessage,
  pathSid: string | undefined,
  accountSid: string,
  authToken: string,
): boolean {
  const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  return pathSid === accountSid && req.headers.authorization === expected;
}

function validate(form: Record<string, string>): object | null {
  if (!form.To) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!isE164(form.To)) return twilioError(400, 21211, "Invalid 'To' Phone Number");
  if (!form.From && !form.MessagingServiceSid) {
    return twilioError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required");
  }
  if (!form.Body) return twilioError(400, 21602, 'Message body is required.');
  return null;
}

function accept(
  form: Record<string, string>,
  accountSid: string,
  contentType: string | undefined,
): ReceivedSms {
  return {
    sid: `SM${randomBytes(16).toString('hex')}`,
    accountSid,
    to: form.To ?? '',
    from: form.From ?? null,
    messagingServiceSid: form.MessagingServiceSid ?? null,
    body: form.Body ?? '',
    statusCallback: form.StatusCallback ?? null,
    form,
    contentType,
  };
}

function resource(message: ReceivedSms): object {
  const now = new Date().toUTCString().replace('GMT', '+0000');
  return {
    account_sid: message.accountSid,
    api_version: '2010-04-01',
    body: message.body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: '0',
    num_segments: String(countSegments(message.body).segments),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.from ? 'queued' : 'accepted',
    subresource_uris: {
      media: `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}/Media.json`,
    },
    to: message.to,
    uri: `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}.json`,
  };
}

function twilioError(status: number, code: number | undefined, message: string): object {
  return {
    code: code ?? null,
    message,
    more_info: code ? `https://www.twilio.com/docs/errors/${code}` : null,
    status,
  };
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
