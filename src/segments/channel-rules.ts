import type { ConsentFacts, TopicFact } from './customer-facts';

/**
 * The consent and topic rules of src/guardrails (consentAllows, isSubscribed), restated here
 * because src/segments may import only src/journeys. test/segments/channel-rules.test.ts checks
 * every combination against the originals, so the copies cannot drift apart unnoticed.
 */

export type ConsentChannel = 'email' | 'sms' | 'push' | 'in_app';

export function consentAllowsChannel(
  consent: ConsentFacts,
  channel: ConsentChannel,
  kind: 'marketing' | 'transactional',
  emailMarketingDefault: 'opted_in' | 'opted_out',
): boolean {
  const marketing = kind === 'marketing';
  switch (channel) {
    case 'email':
      return !marketing || (consent.email ?? emailMarketingDefault) === 'opted_in';
    case 'sms':
    case 'push':
      return consent[channel] !== 'opted_out' && (!marketing || consent[channel] === 'opted_in');
    case 'in_app':
      return (
        !marketing ||
        !(
          consent.email === 'opted_out' &&
          consent.sms === 'opted_out' &&
          consent.push === 'opted_out'
        )
      );
  }
}

/** opt_in topics are off until the customer subscribes; opt_out topics on until they leave. */
export function topicSubscribed(topic: TopicFact | undefined): boolean {
  if (!topic) return false;
  return topic.mode === 'opt_in' ? topic.choice === 'subscribed' : topic.choice !== 'unsubscribed';
}
