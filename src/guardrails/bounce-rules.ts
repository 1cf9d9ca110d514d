import type { SuppressionReason } from '../db/schema';

/**
 * Which provider failures say that an address is dead (suppress it for good) and which only say
 * that this one message did not get through. Pure: no I/O, no clock.
 *
 * Suppressing a live address silently cuts a customer off from every message, receipts included,
 * so only failures that name the address itself suppress; policy, content, capacity and network
 * failures do not, and neither does anything ambiguous.
 */

/**
 * SMTP (RFC 5321 reply codes, RFC 3463 enhanced status codes). The enhanced code, when known,
 * decides: it says why, the basic code only how bad.
 *
 * | enhanced status                     | meaning                                    | result      |
 * | ----------------------------------- | ------------------------------------------ | ----------- |
 * | 5.1.x                               | bad mailbox, domain, syntax; moved; no MX  | hard_bounce |
 * | 5.2.1                               | mailbox disabled (closed account)          | hard_bounce |
 * | 5.2.2, other 5.2.x                  | mailbox full or over a size limit          | null (soft) |
 * | 5.3.x 5.4.x 5.5.x 5.6.x 5.7.x       | mail system, routing, protocol, content,   | null        |
 * |                                     | policy/spam: not a fault of the address    |             |
 * | 4.x.x                               | transient                                  | null        |
 *
 * | basic code (no enhanced status)     | meaning                                    | result      |
 * | ----------------------------------- | ------------------------------------------ | ----------- |
 * | 550, 551, 553                       | mailbox unavailable, not local, bad name   | hard_bounce |
 * | 556                                 | domain does not accept mail (RFC 7504)     | hard_bounce |
 * | 552                                 | storage exceeded (mailbox full)            | null (soft) |
 * | 554 and every other 5xx             | transaction failed / policy                | null        |
 * | 4xx, non-SMTP codes (ECONNREFUSED…) | transient or not about the address         | null        |
 *
 * 550 alone is also used for spam blocks; an MTA that means policy says so with 5.7.x, which wins.
 */
export function classifySmtpFailure(code: string, enhancedStatus?: string): 'hard_bounce' | null {
  if (enhancedStatus !== undefined) {
    const enhanced = ENHANCED_STATUS.exec(enhancedStatus.trim());
    if (enhanced) return classifyEnhanced(enhanced[1], enhanced[2], enhanced[3]);
  }
  const basic = SMTP_CODE.exec(code.trim());
  if (!basic) return null;
  return HARD_BOUNCE_REPLIES.has(Number(basic[1])) ? 'hard_bounce' : null;
}

const SMTP_CODE = /^(?:smtp_)?([2-5]\d\d)$/;
const ENHANCED_STATUS = /^([245])\.(\d{1,3})\.(\d{1,3})$/;
const HARD_BOUNCE_REPLIES = new Set([550, 551, 553, 556]);

function classifyEnhanced(
  klass: string | undefined,
  subject: string | undefined,
  detail: string | undefined,
): 'hard_bounce' | null {
  if (klass !== '5') return null;
  if (subject === '1') return 'hard_bounce';
  if (subject === '2' && detail === '1') return 'hard_bounce';
  return null;
}

/**
 * Twilio error codes (https://www.twilio.com/docs/api/errors), from the send API or a status
 * callback, that say the number itself cannot take SMS:
 *
 * | code  | meaning                                         | result          |
 * | ----- | ----------------------------------------------- | --------------- |
 * | 21211 | invalid 'To' phone number                       | invalid_address |
 * | 21217 | phone number does not appear to be valid        | invalid_address |
 * | 21407 | this number type does not support SMS           | invalid_address |
 * | 21614 | 'To' number is not a valid mobile number        | invalid_address |
 * | 30005 | unknown destination handset (number not issued) | invalid_address |
 * | 30006 | landline or unreachable carrier                 | invalid_address |
 * | 21610 | recipient replied STOP (blocked until START)    | complaint       |
 * | 30003 | unreachable handset (off, out of coverage)      | null: transient |
 * | 30007 | carrier filtering (content/spam)                | null: message   |
 * | 30008 | unknown error                                   | null            |
 * | other | account, content, rate, queue problems          | null            |
 *
 * 21610 is the recipient refusing our messages, which is what a complaint entry means: every send
 * to the number fails until they text START, so suppressing fails closed at no loss. A later
 * START restores SMS consent but does not lift this entry (DELETE /v1/suppressions does).
 */
export function classifyTwilioFailure(errorCode: number): SuppressionReason | null {
  return TWILIO_SUPPRESSIONS.get(errorCode) ?? null;
}

const TWILIO_SUPPRESSIONS = new Map<number, SuppressionReason>([
  [21211, 'invalid_address'],
  [21217, 'invalid_address'],
  [21407, 'invalid_address'],
  [21614, 'invalid_address'],
  [30005, 'invalid_address'],
  [30006, 'invalid_address'],
  [21610, 'complaint'],
]);

/** The suppression a permanent send-time failure calls for, from a ChannelError code. */
export function suppressionForSendFailure(channel: string, code: string): SuppressionReason | null {
  if (channel === 'email') return classifySmtpFailure(code);
  if (channel !== 'sms') return null;
  const twilio = /^twilio_(\d{1,6})$/.exec(code);
  return twilio ? classifyTwilioFailure(Number(twilio[1])) : null;
}
