import type { Consent } from '../db/schema';
import type { ChannelName } from '../journeys/channel-content';

export type MessageKind = 'marketing' | 'transactional';

export interface ConsentQuestion {
  channel: ChannelName;
  messageKind: MessageKind;
  /** The customer's recorded choices, read in the same send (never cached across a delay). */
  consent: Consent;
  /** Marketing email to a customer who made no choice: the deployment's EMAIL_MARKETING_DEFAULT. */
  emailMarketingDefault: 'opted_in' | 'opted_out';
}

/**
 * Whether the customer agreed to this kind of message on this channel. Pure.
 *
 * | channel | transactional              | marketing                                            |
 * | ------- | -------------------------- | ---------------------------------------------------- |
 * | email   | always                     | opted_in, or no choice and the default is opted_in   |
 * | sms     | unless opted out (STOP)    | explicit opt-in only                                 |
 * | push    | unless opted out           | explicit opt-in only                                 |
 * | in_app  | always                     | unless every channel is opted out ("unsubscribe from |
 * |         |                            | everything")                                         |
 * | webhook | always                     | always                                               |
 *
 * In-app messages reach no address: they wait in the inbox of the app the customer signed in to,
 * so they need no opt-in, but a customer who turned off every channel asked for no marketing, and
 * the inbox is no way around that. A webhook is a POST to the deployment's own integration (one
 * of WEBHOOK_ENDPOINTS), not a message to the customer, so channel consent does not apply; what
 * the integration then does with it is the integration's own responsibility. Topics apply to
 * marketing on every channel, in-app and webhook included (see send-checks.ts).
 */
export function consentAllows(question: ConsentQuestion): boolean {
  const { channel, messageKind, consent } = question;
  const marketing = messageKind === 'marketing';
  switch (channel) {
    case 'email':
      return !marketing || (consent.email ?? question.emailMarketingDefault) === 'opted_in';
    case 'sms':
    case 'push':
      // An opt-out stops every message; marketing also needs an explicit opt-in.
      return consent[channel] !== 'opted_out' && (!marketing || consent[channel] === 'opted_in');
    case 'in_app':
      return !marketing || !optedOutEverywhere(consent);
    case 'webhook':
      return true;
  }
}

function optedOutEverywhere(consent: Consent): boolean {
  return (
    consent.email === 'opted_out' && consent.sms === 'opted_out' && consent.push === 'opted_out'
  );
}
