import type { JsonObject } from '../journeys/run-types';
import {
  ChannelError,
  type OutboundWebhook,
  type SendReceipt,
  type WebhookChannel,
} from './channel';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, signWebhook } from './webhook-signature';

export interface WebhookChannelOptions {
  /** WEBHOOK_ENDPOINTS: endpoint name → http(s) URL. Journeys can only name one of these. */
  endpoints: Record<string, string>;
  /** WEBHOOK_SIGNING_SECRET: the HMAC key receivers verify `Cairn-Signature` with. */
  secret: string;
  /** Deadline for the whole request until the response headers arrive. Default 10 s. */
  timeoutMs?: number;
  /** Defaults to the global fetch (Node 20+). */
  fetch?: typeof fetch;
  /** Signing clock; tests pass a fixed one. */
  now?: () => Date;
}

/** A receiver may answer with its own id for the message; it is recorded as the provider id. */
export const RECEIPT_ID_HEADER = 'Cairn-Receipt-Id';

const CHANNEL = 'webhook';
const DEFAULT_TIMEOUT_MS = 10_000;
const MIN_SECRET_LENGTH = 16;

/**
 * A signed JSON POST to a configured endpoint. Only configured URLs are ever called (a journey
 * names an endpoint), so journey data cannot point Cairn at internal addresses, and redirects are
 * refused for the same reason. A timeout is retried although the receiver may have processed the
 * request: the `Cairn-Delivery-Id` header is the receiver's idempotency key.
 */
export function createWebhookChannel(options: WebhookChannelOptions): WebhookChannel {
  const endpoints = validateEndpoints(options.endpoints);
  if (options.secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`WEBHOOK_SIGNING_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clock = options.now ?? (() => new Date());

  return {
    name: CHANNEL,
    async send(message: OutboundWebhook): Promise<SendReceipt> {
      const url = endpoints.get(message.endpoint);
      if (!url) throw new ChannelError(CHANNEL, 'permanent', 'unknown_endpoint');
      const body = JSON.stringify(webhookBody(message));
      const timestamp = Math.floor(clock().getTime() / 1000);
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'Cairn',
            [SIGNATURE_HEADER]: signWebhook(options.secret, timestamp, body),
            [DELIVERY_ID_HEADER]: message.deliveryId,
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw classifyRequestError(error);
      }
      // Only the status matters; dropping the body frees the connection.
      await response.body?.cancel().catch(() => undefined);
      return receiptFor(response, message.deliveryId);
    },
    close: () => Promise.resolve(),
  };
}

/** The delivery id is the body's `id` and wins over an `id` in the journey's payload. */
function webhookBody(message: OutboundWebhook): JsonObject {
  return { ...message.payload, id: message.deliveryId };
}

function receiptFor(response: Response, deliveryId: string): SendReceipt {
  const status = response.status;
  if (status >= 200 && status < 300) {
    const receiptId = response.headers.get(RECEIPT_ID_HEADER);
    return {
      providerMessageId: receiptId && isPlainId(receiptId) ? receiptId : deliveryId,
      providerCode: `http_${status}`,
    };
  }
  if (status >= 300 && status < 400) {
    throw new ChannelError(CHANNEL, 'permanent', 'redirect_refused');
  }
  // 408 and 429 ask to come back later, like a 5xx; any other 4xx will fail the same way again.
  const transient = status >= 500 || status === 408 || status === 429;
  throw new ChannelError(CHANNEL, transient ? 'transient' : 'permanent', `http_${status}`);
}

/** Timeouts and every network failure are transient; the code never carries response text. */
function classifyRequestError(error: unknown): ChannelError {
  // Duck-typed: fetch's errors may come from another realm (jest), where instanceof fails.
  const { name, cause } = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    cause?: { code?: unknown } | null;
  };
  if (name === 'TimeoutError') return new ChannelError(CHANNEL, 'transient', 'timeout');
  const code = cause?.code;
  const known = typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code);
  return new ChannelError(CHANNEL, 'transient', known ? code : 'network_error');
}

function isPlainId(value: string): boolean {
  return /^[\x21-\x7e]{1,200}$/.test(value);
}

function validateEndpoints(endpoints: Record<string, string>): Map<string, string> {
  const valid = new Map<string, string>();
  for (const [name, value] of Object.entries(endpoints)) {
    valid.set(name, validateEndpointUrl(name, value));
  }
  return valid;
}

/** Errors name the endpoint but never echo its URL, whose query may hold a token. */
function validateEndpointUrl(name: string, value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(name)) {
    throw new Error(
      `WEBHOOK_ENDPOINTS: endpoint name "${name.slice(0, 100)}" must be 1-100 letters, digits, "_", "." or "-"`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`WEBHOOK_ENDPOINTS.${name} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`WEBHOOK_ENDPOINTS.${name} must use https: or http:, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new Error(`WEBHOOK_ENDPOINTS.${name} must not carry credentials in the URL`);
  }
  return url.toString();
}

/** Parses WEBHOOK_ENDPOINTS, a JSON object of endpoint name → URL, with errors naming the key. */
export function parseWebhookEndpoints(value: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(
      'WEBHOOK_ENDPOINTS must be a JSON object such as {"crm":"https://crm.example/hook"}',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('WEBHOOK_ENDPOINTS must be a JSON object of endpoint name → URL');
  }
  const endpoints: Record<string, string> = {};
  for (const [name, url] of Object.entries(parsed)) {
    if (typeof url !== 'string') throw new Error(`WEBHOOK_ENDPOINTS.${name} must be a URL string`);
    validateEndpointUrl(name, url);
    endpoints[name] = url;
  }
  return endpoints;
}
