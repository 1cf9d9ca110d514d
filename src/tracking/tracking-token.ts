import { createHmac, timingSafeEqual } from 'node:crypto';

export type TrackingKind = 'open' | 'click' | 'sms_click';

export interface TrackingClaims {
  deliveryId: string;
  kind: TrackingKind;
  /** Which rewritten link of the message; required for clicks, absent for opens. */
  linkIndex?: number;
}

export type TrackingVerification =
  { valid: true; claims: TrackingClaims } | { valid: false; reason: 'malformed' | 'bad_signature' };

/** Signs tracking tokens for one delivery: what link rewriting needs, with the secret bound. */
export type TrackingSigner = (target: { kind: TrackingKind; linkIndex?: number }) => string;

const VERSION = 1;
/** 80 bits: forging needs ~2^79 online guesses per link, and SMS links stay under 40 characters. */
const MAC_BYTES = 10;
const UUID_BYTES = 16;
/** Two varint bytes at most: a message with more than 16 383 links is not one we track. */
export const MAX_LINK_INDEX = 0x3fff;
const MAX_TOKEN_CHARS = 64;
const DOMAIN = Buffer.from('cairn-tracking', 'utf8');
const KIND_CODES: Record<TrackingKind, number> = { open: 0, click: 1, sms_click: 2 };
const KINDS: TrackingKind[] = ['open', 'click', 'sms_click'];
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MIN_SECRET_CHARS = 32;

/**
 * `base64url(header · delivery uuid (16 bytes) · [link index varint] · HMAC-SHA256[:10])`. The
 * header byte holds the version (high nibble) and the kind, so a token cannot be re-read as another
 * kind or format. An SMS click token is 28–29 bytes: 38–39 characters.
 */
export function signTrackingToken(secret: string, claims: TrackingClaims): string {
  requireTrackingSecret(secret);
  const payload = encodePayload(claims);
  return Buffer.concat([payload, mac(secret, payload)]).toString('base64url');
}

/** Never throws for any token: anything not signed with this secret is `valid: false`. */
export function verifyTrackingToken(secret: string, token: unknown): TrackingVerification {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return malformed();
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return malformed();
  const bytes = Buffer.from(token, 'base64url');
  // Canonical base64url only: two spellings of one token would be two distinct tokens.
  if (bytes.toString('base64url') !== token) return malformed();
  if (bytes.length < 1 + UUID_BYTES + MAC_BYTES) return malformed();
  const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
  const given = bytes.subarray(bytes.length - MAC_BYTES);
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_CHARS) return badSignature();
  if (!timingSafeEqual(given, mac(secret, payload))) return badSignature();
  const claims = decodePayload(payload);
  return claims ? { valid: true, claims } : malformed();
}

/** A signer for one delivery's links (the rewriting functions take it). */
export function trackingSigner(secret: string, deliveryId: string): TrackingSigner {
  requireTrackingSecret(secret);
  return ({ kind, linkIndex }) =>
    signTrackingToken(secret, {
      deliveryId,
      kind,
      ...(linkIndex !== undefined ? { linkIndex } : {}),
    });
}

// A short secret would make truncated MACs guessable offline; refuse to sign with one.
export function requireTrackingSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_CHARS) {
    throw new Error(`the tracking secret must be at least ${MIN_SECRET_CHARS} characters`);
  }
}

function mac(secret: string, payload: Buffer): Buffer {
  return createHmac('sha256', secret)
    .update(DOMAIN)
    .update(payload)
    .digest()
    .subarray(0, MAC_BYTES);
}

function encodePayload(claims: TrackingClaims): Buffer {
  if (!UUID_PATTERN.test(claims.deliveryId)) {
    throw new Error('tracking token deliveryId must be a uuid');
  }
  const code = KIND_CODES[claims.kind];
  if (code === undefined) throw new Error('tracking token kind must be open, click or sms_click');
  const header = Buffer.from([(VERSION << 4) | code]);
  const uuid = Buffer.from(claims.deliveryId.replace(/-/g, ''), 'hex');
  if (claims.kind === 'open') {
    if (claims.linkIndex !== undefined) throw new Error('an open token has no linkIndex');
    return Buffer.concat([header, uuid]);
  }
  const index = claims.linkIndex;
  if (index === undefined || !Number.isInteger(index) || index < 0 || index > MAX_LINK_INDEX) {
    throw new Error(`tracking token linkIndex must be an integer from 0 to ${MAX_LINK_INDEX}`);
  }
  return Buffer.concat([header, uuid, encodeVarint(index)]);
}

function decodePayload(payload: Buffer): TrackingClaims | null {
  const header = payload[0] ?? 0;
  const kind = KINDS[header & 0x0f];
  if (header >> 4 !== VERSION || !kind) return null;
  const deliveryId = formatUuid(payload.subarray(1, 1 + UUID_BYTES));
  const rest = payload.subarray(1 + UUID_BYTES);
  if (kind === 'open') return rest.length === 0 ? { deliveryId, kind } : null;
  const linkIndex = decodeVarint(rest);
  return linkIndex === null ? null : { deliveryId, kind, linkIndex };
}

function encodeVarint(value: number): Buffer {
  return value < 0x80 ? Buffer.from([value]) : Buffer.from([(value & 0x7f) | 0x80, value >> 7]);
}

/** The exact bytes of a minimal varint, or null (two encodings of one index are refused). */
function decodeVarint(bytes: Buffer): number | null {
  const [first, second] = bytes;
  if (bytes.length === 1 && first !== undefined && first < 0x80) return first;
  if (bytes.length !== 2 || first === undefined || second === undefined) return null;
  if (first < 0x80 || second === 0 || second >= 0x80) return null;
  return (first & 0x7f) | (second << 7);
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function malformed(): TrackingVerification {
  return { valid: false, reason: 'malformed' };
}

function badSignature(): TrackingVerification {
  return { valid: false, reason: 'bad_signature' };
}
