import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, in the scheme Stripe made familiar.
 *
 * Every webhook POST carries
 *
 *     Cairn-Signature: t=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
 *
 * where `t` is the Unix time (seconds) of signing and `v1` the lowercase hex HMAC-SHA256, keyed
 * with the shared signing secret, of the string `"<t>.<raw request body>"`. A receiver
 *
 * 1. takes the raw body bytes exactly as received (before any JSON parsing),
 * 2. recomputes the HMAC over `"<t>.<body>"` and compares it in constant time with each `v1`
 *    (there may be several while a secret is being rotated; one match is enough),
 * 3. rejects a `t` more than the tolerance (default 5 minutes) away from its own clock, so a
 *    captured request cannot be replayed later,
 * 4. treats the `Cairn-Delivery-Id` header as an idempotency key: a retried delivery (after a
 *    timeout or a 5xx) carries the same id and must be processed once.
 *
 * `verifyWebhookSignature` below does steps 1-3 and is exported for receivers written in Node.
 */
export const SIGNATURE_HEADER = 'Cairn-Signature';
export const DELIVERY_ID_HEADER = 'Cairn-Delivery-Id';
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SCHEME = 'v1';

/** The `Cairn-Signature` header value for `body`, signed at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new Error('webhook signature timestamp must be whole Unix seconds');
  }
  return `t=${timestamp},${SCHEME}=${hmacHex(secret, timestamp, body)}`;
}

export type SignatureCheck =
  | { valid: true; timestamp: number }
  | {
      valid: false;
      reason: 'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'mismatch';
    };

/**
 * Checks a `Cairn-Signature` header against the raw body. Fails closed: a missing, malformed or
 * stale header is invalid, and the reason says which (never which bytes differed).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  now: Date = new Date(),
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): SignatureCheck {
  if (!header) return { valid: false, reason: 'missing_header' };
  const parsed = parseHeader(header);
  if (!parsed) return { valid: false, reason: 'malformed_header' };
  const age = Math.abs(Math.floor(now.getTime() / 1000) - parsed.timestamp);
  if (!(age <= toleranceSeconds)) return { valid: false, reason: 'timestamp_out_of_tolerance' };
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, body), 'hex');
  // Every candidate is compared, so the time taken does not tell which one matched.
  let matched = false;
  for (const candidate of parsed.signatures) {
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
      matched = true;
    }
  }
  return matched
    ? { valid: true, timestamp: parsed.timestamp }
    : { valid: false, reason: 'mismatch' };
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** "t=...,v1=...[,v1=...]" → timestamp and v1 signatures; unknown schemes are ignored. */
function parseHeader(header: string): { timestamp: number; signatures: Buffer[] } | null {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value, ...rest] = part.trim().split('=');
    if (!key || value === undefined || rest.length > 0) return null;
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === SCHEME) {
      if (!/^[0-9a-f]{64}$/i.test(value)) return null;
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}
