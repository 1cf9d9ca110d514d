import { ChannelError, type ChannelErrorKind } from './channel';

/** How one token's send failed, from firebase-admin's error code (e.g. messaging/internal-error). */
export type TokenOutcome = 'invalid_token' | 'transient' | 'permanent';

/** The token will never work again: remove it from the profile. */
const INVALID_TOKEN_CODES = new Set([
  'messaging/registration-token-not-registered',
  'messaging/invalid-registration-token',
]);

/** FCM or the way to it is having trouble; the same message may be accepted later. */
const TRANSIENT_CODES = new Set([
  'messaging/internal-error',
  'messaging/server-unavailable',
  'messaging/message-rate-exceeded',
  'messaging/device-message-rate-exceeded',
  'messaging/topics-message-rate-exceeded',
  'messaging/unknown-error',
  // Our credential could not be used or refreshed: an operator fixes it, nothing about the message.
  'messaging/authentication-error',
  'app/invalid-credential',
  'app/network-error',
  'app/network-timeout',
]);

export interface FcmFailure {
  code?: string;
  message?: string;
}

/**
 * firebase-admin's code for a failure, with one wrapping undone: over HTTP/2 (its default
 * transport) a send that never reached FCM fails with the app error inside a messaging error,
 * `messaging/app/network-error`, where the legacy transport says `app/network-error`.
 */
function codeOf(error: FcmFailure): string {
  return (error.code ?? '').replace(/^messaging\/(?=app\/)/, '');
}

export function classifyTokenFailure(error: FcmFailure): TokenOutcome {
  const code = codeOf(error);
  if (INVALID_TOKEN_CODES.has(code)) return 'invalid_token';
  // FCM v1 answers INVALID_ARGUMENT both for a malformed token and for a bad payload; only the
  // message tells them apart, and a payload error must never cost the customer their tokens.
  if (code === 'messaging/invalid-argument' && /registration token/i.test(error.message ?? '')) {
    return 'invalid_token';
  }
  return TRANSIENT_CODES.has(code) ? 'transient' : 'permanent';
}

/** firebase-admin's "messaging/server-unavailable" → "fcm_server_unavailable". */
export function fcmCode(error: FcmFailure): string {
  const reason = (codeOf(error) || 'unknown-error').replace(/^[a-z]+\//, '');
  return `fcm_${reason.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`;
}

/**
 * Thrown when no token took the message. It still says which tokens FCM reported invalid, so the
 * send path can remove them even though the send failed.
 */
export class PushSendError extends ChannelError {
  constructor(
    kind: ChannelErrorKind,
    code: string,
    readonly invalidTokens: string[],
    readonly failed: { token: string; code: string }[],
  ) {
    super('push', kind, code);
  }
}

export function isPushSendError(error: unknown): error is PushSendError {
  return error instanceof PushSendError;
}

export interface ClassifiedFailure {
  token: string;
  code: string;
  outcome: Exclude<TokenOutcome, 'invalid_token'>;
}

/**
 * The error for a send that no token took. Invalid tokens alone make it permanent
 * (no_valid_tokens); otherwise it is transient only when every other token failed transiently,
 * because a retry then has a chance with each of them.
 */
export function noDeliveryError(
  invalidTokens: string[],
  failures: ClassifiedFailure[],
): PushSendError {
  const failed = failures.map(({ token, code }) => ({ token, code }));
  const [first] = failures;
  if (!first) return new PushSendError('permanent', 'no_valid_tokens', invalidTokens, failed);
  const permanent = failures.find((failure) => failure.outcome === 'permanent');
  const deciding = permanent ?? first;
  return new PushSendError(deciding.outcome, deciding.code, invalidTokens, failed);
}
