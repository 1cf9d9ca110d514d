import { ChannelError } from './channel';

interface TwilioLikeError {
  /** HTTP status of a RestException / TwilioServiceException. */
  status?: unknown;
  /** Twilio's numeric error code on REST errors, or Node's/axios's string code on network errors. */
  code?: unknown;
  message?: unknown;
}

/** Network failures where the request may not have reached Twilio, or its answer got lost. */
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/**
 * Twilio's HTTP status decides first: 429 and 5xx ask to try again later; any other 4xx is a
 * verdict on this message or account (21211 invalid number, 21610 recipient unsubscribed,
 * 21614 not a mobile number, 21408 region not permitted, 20003 bad credentials) and is recorded
 * with Twilio's code. Without a status, the request never got an answer: transient.
 */
export function classifyTwilioError(error: unknown): ChannelError {
  const { status, code, message } = (
    typeof error === 'object' && error !== null ? error : {}
  ) as TwilioLikeError;
  if (typeof status === 'number' && status >= 400 && status < 600) {
    if (status === 429 || status >= 500) {
      return new ChannelError('sms', 'transient', `twilio_http_${status}`);
    }
    const name = typeof code === 'number' ? `twilio_${code}` : `twilio_http_${status}`;
    return new ChannelError('sms', 'permanent', name);
  }
  return new ChannelError('sms', 'transient', networkCode(code, message));
}

function networkCode(code: unknown, message: unknown): string {
  if (typeof code !== 'string' || !/^[A-Z0-9_]{2,40}$/.test(code)) return 'unknown_error';
  // axios reports its own timeout as ECONNABORTED "timeout of N ms exceeded".
  if (TIMEOUT_CODES.has(code) && typeof message === 'string' && /timeout/i.test(message)) {
    return 'ETIMEDOUT';
  }
  return code;
}
