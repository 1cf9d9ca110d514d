import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type UnsubscribeChannel = 'email' | 'sms' | 'push';

export interface UnsubscribeClaims {
  customerId: string;
  channel: UnsubscribeChannel;
  topic?: string;
  deliveryId?: string;
  /** Unix seconds. Tokens do not expire: RFC 8058 links must keep working in old mail. */
  issuedAt: number;
}

export type TokenVerification =
  | { valid: true; claims: UnsubscribeClaims }
  | { valid: false; reason: 'malformed' | 'bad_signature' };

const VERSION = 'u1';
const CHANNEL_CODES: Record<UnsubscribeChannel, string> = { email: 'e', sms: 's', push: 'p' };
const CHANNELS_BY_CODE = new Map(
  Object.entries(CHANNEL_CODES).map(([channel, code]) => [code, channel as UnsubscribeChannel]),
);
const MAX_TOKEN_LENGTH = 2_048;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:|-]{0,199}$/;

/** The wire payload: short keys keep links short; nothing in it is contact data. */
interface Payload {
  c: string;
  h: string;
  t?: string;
  d?: string;
  i: number;
}

/**
 * `<base64url payload>.<base64url HMAC-SHA256>`, URL-safe. The signature covers a version prefix
 * and the encoded payload, so a token cannot be re-read under another format.
 */
export function signUnsubscribeToken(secret: string, claims: UnsubscribeClaims): string {
  requireSecret(secret);
  requireSignable(claims);
  const payload: Payload = {
    c: claims.customerId,
    h: CHANNEL_CODES[claims.channel],
    ...(claims.topic !== undefined ? { t: claims.topic } : {}),
    ...(claims.deliveryId !== undefined ? { d: claims.deliveryId } : {}),
    i: Math.floor(claims.issuedAt),
  };
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${encoded}.${signature(secret, encoded).toString('base64url')}`;
}

/** Never throws for bad input: anything not signed with this secret is `valid: false`. */
export function verifyUnsubscribeToken(secret: string, token: string): TokenVerification {
  requireSecret(secret);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return malformed();
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return malformed();
  const [, encoded = '', given = ''] = match;
  const expected = signature(secret, encoded);
  const actual = Buffer.from(given, 'base64url');
  // Canonical base64url only: two spellings of one signature would be two distinct tokens.
  if (actual.length !== expected.length || actual.toString('base64url') !== given) {
    return { valid: false, reason: 'bad_signature' };
  }
  if (!timingSafeEqual(actual, expected)) return { valid: false, reason: 'bad_signature' };
  const claims = decodePayload(encoded);
  return claims ? { valid: true, claims } : malformed();
}

/** A short, stable digest of a token, for event ids (the token itself is a capability). */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22);
}

function signature(secret: string, encoded: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${encoded}`).digest();
}

function decodePayload(encoded: string): UnsubscribeClaims | null {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null) return null;
  const { c, h, t, d, i } = payload as Record<string, unknown>;
  const channel = typeof h === 'string' ? CHANNELS_BY_CODE.get(h) : undefined;
  if (typeof c !== 'string' || !ID_PATTERN.test(c) || !channel) return null;
  if (t !== undefined && (typeof t !== 'string' || !ID_PATTERN.test(t))) return null;
  if (d !== undefined && (typeof d !== 'string' || !ID_PATTERN.test(d))) return null;
  if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0) return null;
  return {
    customerId: c,
    channel,
    ...(t !== undefined ? { topic: t } : {}),
    ...(d !== undefined ? { deliveryId: d } : {}),
    issuedAt: i,
  };
}

// Signing what verification would refuse would mint links that never work.
function requireSignable(claims: UnsubscribeClaims): void {
  const ids = [claims.customerId, claims.topic, claims.deliveryId];
  if (ids.some((id) => id !== undefined && !ID_PATTERN.test(id))) {
    throw new Error(
      'unsubscribe token ids must be 1-200 letters, digits, "_", ".", ":", "|" or "-"',
    );
  }
  if (!CHANNEL_CODES[claims.channel]) throw new Error('unsubscribe token channel is unknown');
  if (!Number.isFinite(claims.issuedAt) || claims.issuedAt < 0) {
    throw new Error('unsubscribe token issuedAt must be unix seconds');
  }
}

function malformed(): TokenVerification {
  return { valid: false, reason: 'malformed' };
}

// A short secret would make signatures guessable offline; refuse to sign or verify with one.
function requireSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < 32) {
    throw new Error('the unsubscribe secret must be at least 32 characters');
  }
}
