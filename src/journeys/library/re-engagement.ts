import type { JourneyDefinition } from '../schema';
import { parseJourneyDefinition } from '../validate';

/**
 * Seed scenario C, for inactive customers: it starts when a customer enters the built-in segment
 * inactive_30d (bought before; no purchase, page view, open or click for 30 days; see
 * src/segments/library), whose entry is a segment_entered event. "We miss you"
 * with WELCOME20; if that email is not opened within 3 days, an SMS;
 * if that is not clicked within 4 more days (a week after entry), a survey email. Opening or
 * clicking ends the run: the customer is back.
 *
 * Audience, "exclude recent purchasers": enter when the last purchase is older than 30 days OR
 * there is no last purchase at all. A missing field never passes a condition, so "never
 * purchased" has to be said explicitly with exists: false; a customer with an unreadable
 * last_purchase_at is kept out (fail closed).
 *
 * The SMS click arrives as sms_clicked (sent by the app or link service until Cairn shortens SMS
 * links itself). Any open/click counts: engagement events do not yet say which message they
 * belong to.
 */
export const reEngagement: JourneyDefinition = parseJourneyDefinition({
  id: 're-engagement',
  name: 'Re-engagement',
  description: 'Wins back inactive customers who have not purchased recently.',
  trigger: {
    event: 'segment_entered',
    when: {
      conditions: [{ field: 'trigger.properties.segment_id', op: 'eq', value: 'inactive_30d' }],
    },
  },
  audience: {
    match: 'any',
    conditions: [
      { field: 'profile.last_purchase_at', op: 'older_than', value: '30d' },
      { field: 'profile.last_purchase_at', op: 'exists', value: false },
    ],
  },
  reEntry: { mode: 'cooldown', cooldown: '90d' },
  exitOn: [{ event: 'unsubscribe' }],
  entry: 'we_miss_you',
  steps: [
    {
      id: 'we_miss_you',
      type: 'send',
      name: 'We miss you',
      channel: 'email',
      content: {
        subject: 'We miss you{{#if profile.first_name}}, {{profile.first_name}}{{/if}}',
        html:
          '<p>It has been a while. Here is 20% off your next order with code <strong>WELCOME20</strong>.</p>' +
          '<p><a href="{{links.shop}}">Come back to {{company.name}}</a></p>',
        text: 'It has been a while. 20% off with code WELCOME20: {{links.shop}}',
      },
      next: 'await_open',
    },
    {
      id: 'await_open',
      type: 'waitForEvent',
      name: 'Opened within 3 days?',
      event: 'email_opened',
      timeout: '3d',
      onTimeout: 'second_chance',
    },
    {
      id: 'second_chance',
      type: 'send',
      name: 'Second chance (SMS)',
      channel: 'sms',
      content: {
        text: 'We miss you at {{company.name}}! Your code WELCOME20 still works: {{links.shop}}',
      },
      next: 'await_click',
    },
    {
      id: 'await_click',
      type: 'waitForEvent',
      name: 'Clicked within 4 more days?',
      event: 'sms_clicked',
      timeout: '4d',
      onTimeout: 'survey_email',
    },
    {
      id: 'survey_email',
      type: 'send',
      name: 'Survey',
      channel: 'email',
      content: {
        subject: 'Help us do better at {{company.name}}',
        html: '<p>Could you tell us what we could do better? <a href="{{links.survey}}">Two-minute survey</a></p>',
      },
    },
  ],
});
