import { ChannelError } from './channel';

interface NodemailerError {
  code?: unknown;
  responseCode?: unknown;
}

/** Errors that no retry can fix: the message or configuration itself is wrong. */
const PERMANENT_CODES = new Set([
  'EENVELOPE',
  'EMESSAGE',
  'ECONFIG',
  'EREQUIRETLS',
  'EMAXRECIPIENTS',
]);

/**
 * SMTP reply codes decide first: 5xx is a permanent rejection, 4xx asks to try again later.
 * Without a reply, errors about the message itself are permanent and everything else (refused
 * connections, timeouts, TLS and DNS trouble, dropped sockets) is transient.
 */
export function classifySmtpError(error: unknown): ChannelError {
  const { code, responseCode } = (
    typeof error === 'object' && error !== null ? error : {}
  ) as NodemailerError;
  if (typeof responseCode === 'number' && responseCode >= 400 && responseCode < 600) {
    return new ChannelError(
      'email',
      responseCode >= 500 ? 'permanent' : 'transient',
      `smtp_${responseCode}`,
    );
  }
  const name = typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code : 'unknown_error';
  return new ChannelError('email', PERMANENT_CODES.has(name) ? 'permanent' : 'transient', name);
}
