import type { Database } from '../db/database';
import type { Consent } from '../db/schema';
import type { ChannelName } from '../journeys/channel-content';
import { consentAllows, type MessageKind } from './channel-consent';
import { suppressedAddresses, type KnownSuppression, type SuppressionChannel } from './suppression';
import { topicAllows, type TopicDecision } from './topics';

/**
 * The guardrails every message passes before it may leave, in this order; the first refusal wins
 * and its reason is recorded on the delivery:
 *   0. erasure      `customer_erased` · `erased_address` · `suppressed` (src/privacy/erasure-check.ts)
 *   1. suppression  `suppressed`
 *   2. consent      `no_consent`  (the channel and the message kind, see channel-consent.ts)
 *   3. topic        `topic_unsubscribed` · `topic_not_opted_in` · `unknown_topic`
 *   4. caps         `frequency_capped` (skip) or a deferral
 * Checks 1–3 are reads, run here before the message is rendered. Caps come last and are not
 * decided here: counting the window and reserving the slot must be one atomic step, so they are
 * decided by the claim itself (src/deliveries/claim-within-caps.ts), once the message is
 * rendered. Every check reads fresh and fails closed: a database error propagates, so the activity
 * retries and never sends unchecked. The send path reads the customer, the suppression of their
 * own address and their topic state in one statement (send-state.ts) and hands them in as
 * `known`; the checks then decide without reading again.
 */
export const SEND_CHECK_ORDER = ['erasure', 'suppression', 'consent', 'topic', 'caps'] as const;
export type SendCheckName = (typeof SEND_CHECK_ORDER)[number];

/** What the checks see of one message. */
export interface SendCheckInput {
  db: Database;
  customerId: string;
  channel: ChannelName;
  messageKind: MessageKind;
  topic?: string;
  /** The customer's consent, read in this send under the consent gate. */
  consent: Consent;
  emailMarketingDefault: 'opted_in' | 'opted_out';
  /** Where the message goes; see Recipient in the channel drivers. */
  suppressionChannel: SuppressionChannel | null;
  addresses: string[];
  /**
   * What the send already read with the customer, in the same statement (send-state.ts): the
   * checks use it instead of reading again. Absent parts are read by the checks themselves.
   */
  known?: {
    suppression?: KnownSuppression | null;
    /** The decision for `topic`, read for this customer. */
    topic?: TopicDecision | null;
  };
}

export type CheckVerdict =
  { allowed: true; addresses?: string[] } | { allowed: false; reason: string };

export interface SendCheck {
  name: Exclude<SendCheckName, 'caps'>;
  run(input: SendCheckInput): Promise<CheckVerdict>;
}

export type SendChecksResult =
  /** `addresses`: the ones the message may go to (suppressed push tokens left out). */
  { allowed: true; addresses: string[] } | { allowed: false; check: SendCheckName; reason: string };

/**
 * Nothing passes the suppression list, transactional included. A channel with several addresses
 * (push: one per device) sends to the ones not on it, and is refused only when none is left.
 * Webhook and in-app messages reach no address of the customer: nothing to suppress.
 */
export const suppressionCheck: SendCheck = {
  name: 'suppression',
  async run(input) {
    if (!input.suppressionChannel) return { allowed: true };
    const refused = await suppressedAddresses(
      input.db,
      input.suppressionChannel,
      input.addresses,
      input.known?.suppression,
    );
    const remaining = input.addresses.filter((address) => !refused.has(address));
    return remaining.length > 0
      ? { allowed: true, addresses: remaining }
      : { allowed: false, reason: 'suppressed' };
  },
};

export const consentCheck: SendCheck = {
  name: 'consent',
  run: (input) =>
    Promise.resolve(
      consentAllows(input) ? { allowed: true } : { allowed: false, reason: 'no_consent' },
    ),
};

/** Topics apply to marketing only; an unknown topic refuses (a typo must not bypass choices). */
export const topicCheck: SendCheck = {
  name: 'topic',
  async run(input) {
    if (input.messageKind === 'transactional' || !input.topic) return { allowed: true };
    const decision =
      input.known?.topic ?? (await topicAllows(input.db, input.customerId, input.topic));
    return decision.allowed ? { allowed: true } : { allowed: false, reason: decision.reason };
  },
};

/** The read checks that need nothing but the database, in SEND_CHECK_ORDER. */
export const SEND_CHECKS: readonly SendCheck[] = [suppressionCheck, consentCheck, topicCheck];

/**
 * Every read check, in SEND_CHECK_ORDER: the erasure check first. It hashes addresses with the
 * identifier key, so it is built where the key is (src/privacy) and handed in: the send path
 * cannot run the others without it.
 */
export function sendChecks(erasure: SendCheck): readonly SendCheck[] {
  if (erasure.name !== 'erasure') throw new Error('the first send check must be the erasure check');
  return [erasure, ...SEND_CHECKS];
}

/** Runs the checks in order; the first refusal wins. */
export async function runSendChecks(
  input: SendCheckInput,
  checks: readonly SendCheck[] = SEND_CHECKS,
): Promise<SendChecksResult> {
  let current = input;
  for (const check of checks) {
    const verdict = await check.run(current);
    if (!verdict.allowed) return { allowed: false, check: check.name, reason: verdict.reason };
    if (verdict.addresses) current = { ...current, addresses: verdict.addresses };
  }
  return { allowed: true, addresses: current.addresses };
}
