import { ENGAGEMENT_EVENT_TYPES } from '../../src/customers/engagement';
import type { Consent } from '../../src/db/schema';
import { consentAllows } from '../../src/guardrails/channel-consent';
import { isSubscribed } from '../../src/guardrails/topics';
import { consentAllowsChannel, topicSubscribed } from '../../src/segments/channel-rules';
import { ENGAGEMENT_TYPES } from '../../src/segments/engagement-types';

// src/segments restates these rules (it may import only src/journeys): every combination agrees.

const choices = [undefined, 'opted_in', 'opted_out'] as const;

function everyConsent(): Consent[] {
  const all: Consent[] = [];
  for (const email of choices) {
    for (const sms of choices) {
      for (const push of choices) {
        all.push({
          ...(email ? { email } : {}),
          ...(sms ? { sms } : {}),
          ...(push ? { push } : {}),
        });
      }
    }
  }
  return all;
}

it('allows a channel exactly when consentAllows does (27 consents × 4 channels × 2 kinds × 2 defaults)', () => {
  let compared = 0;
  for (const consent of everyConsent()) {
    for (const channel of ['email', 'sms', 'push', 'in_app'] as const) {
      for (const kind of ['marketing', 'transactional'] as const) {
        for (const emailMarketingDefault of ['opted_in', 'opted_out'] as const) {
          const expected = consentAllows({
            channel,
            messageKind: kind,
            consent,
            emailMarketingDefault,
          });
          expect([
            consent,
            channel,
            kind,
            emailMarketingDefault,
            consentAllowsChannel(consent, channel, kind, emailMarketingDefault),
          ]).toEqual([consent, channel, kind, emailMarketingDefault, expected]);
          compared += 1;
        }
      }
    }
  }
  expect(compared).toBe(432);
});

it('reads topics as isSubscribed does, and an unknown topic as not subscribed', () => {
  for (const mode of ['opt_in', 'opt_out'] as const) {
    for (const choice of [null, 'subscribed', 'unsubscribed'] as const) {
      expect(topicSubscribed({ mode, choice })).toBe(isSubscribed(mode, choice));
    }
  }
  expect(topicSubscribed(undefined)).toBe(false);
});

it('knows the same engagement event types as src/customers', () => {
  expect(Object.keys(ENGAGEMENT_TYPES).sort()).toEqual([...ENGAGEMENT_EVENT_TYPES].sort());
});
