import { createHmac } from 'node:crypto';
import type { ErasedIdentifierKind } from '../db/schema';
import { normaliseAddress, type SuppressionChannel } from '../guardrails/suppression';

/** An identifier of a customer in clear, as a profile, a device or a suppression holds it. */
export interface CustomerIdentifier {
  kind: ErasedIdentifierKind;
  value: string;
}

/** An identifier as the tombstone keeps it: its kind and a keyed hash, never the value. */
export interface HashedIdentifier {
  kind: ErasedIdentifierKind;
  hash: string;
}

/**
 * The secret identifiers are hashed with (CAIRN_PRIVACY_KEY). Keyed, so that nobody holding the
 * database alone can test a guessed address against the tombstones (an unkeyed hash of an email
 * falls to a dictionary); one key for good, since a new key matches no tombstone written before.
 */
export interface IdentifierKey {
  secret: string;
}

export const MIN_IDENTIFIER_KEY_LENGTH = 32;

const CHANNEL_OF: Record<ErasedIdentifierKind, SuppressionChannel> = {
  email: 'email',
  phone: 'sms',
  push_token: 'push',
};

/** The suppression channel whose addresses are identifiers of this kind. */
export function suppressionChannelOf(kind: ErasedIdentifierKind): SuppressionChannel {
  return CHANNEL_OF[kind];
}

/** The identifier kind a suppression channel's addresses are. */
export function identifierKindOf(channel: SuppressionChannel): ErasedIdentifierKind {
  return channel === 'email' ? 'email' : channel === 'sms' ? 'phone' : 'push_token';
}

/**
 * The form a value is compared in, the suppression list's (lower-case trimmed email, E.164
 * phone, the token as is), so "Ada@Example.com " and "ada@example.com" are one identifier. A value
 * that form refuses is compared trimmed (and lower-cased for email) rather than dropped: the
 * tombstone keeps what the profile held.
 */
export function normaliseIdentifier(kind: ErasedIdentifierKind, value: string): string {
  const normalised = normaliseAddress(CHANNEL_OF[kind], value);
  if (normalised.ok) return normalised.address;
  const trimmed = value.trim();
  return kind === 'email' ? trimmed.toLowerCase() : trimmed;
}

/** HMAC-SHA-256 of "kind\nnormalised value", base64url: the same value of the same kind, the same hash. */
export function hashIdentifier(
  key: IdentifierKey,
  identifier: CustomerIdentifier,
): HashedIdentifier {
  const hash = createHmac('sha256', key.secret)
    .update(`${identifier.kind}\n${normaliseIdentifier(identifier.kind, identifier.value)}`)
    .digest('base64url');
  return { kind: identifier.kind, hash };
}

/** Hashes each identifier once (a value given twice, or in two spellings, is one entry). */
export function hashIdentifiers(
  key: IdentifierKey,
  identifiers: readonly CustomerIdentifier[],
): HashedIdentifier[] {
  const seen = new Map<string, HashedIdentifier>();
  for (const identifier of identifiers) {
    const hashed = hashIdentifier(key, identifier);
    seen.set(`${hashed.kind}:${hashed.hash}`, hashed);
  }
  return [...seen.values()];
}

/** A key that cannot be used; the message names the variable, never key material. */
export class IdentifierKeyError extends Error {
  override readonly name = 'IdentifierKeyError';
}

/** CAIRN_PRIVACY_KEY as a key: at least 32 characters (openssl rand -base64 32). */
export function parseIdentifierKey(value: string, variable = 'CAIRN_PRIVACY_KEY'): IdentifierKey {
  const secret = value.trim();
  if (secret.length < MIN_IDENTIFIER_KEY_LENGTH) {
    throw new IdentifierKeyError(
      `${variable} must be at least ${MIN_IDENTIFIER_KEY_LENGTH} characters (openssl rand -base64 32)`,
    );
  }
  return { secret };
}
