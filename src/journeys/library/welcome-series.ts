import type { JourneyDefinition } from '../schema';
import { parseJourneyDefinition } from '../validate';

/**
 * Seed scenario A. Email at signup, a second message at +2h, a nudge at +1 day only while the
 * profile is not completed, and tips at +3 days. The seed's SMS and push messages go by email
 * until those channels land. The timed steps wait "since entry", so every message keeps its
 * place on the schedule whichever way the branch goes.
 */
export const welcomeSeries: JourneyDefinition = parseJourneyDefinition({
  id: 'welcome-series',
  name: 'Welcome series',
  description: 'Welcomes a new customer over their first three days.',
  trigger: { event: 'user_signup' },
  reEntry: { mode: 'once' },
  exitOn: [{ event: 'unsubscribe' }],
  entry: 'welcome_email',
  steps: [
    {
      id: 'welcome_email',
      type: 'send',
      name: 'Welcome email',
      channel: 'email',
      content: {
        subject:
          'Welcome to {{company.name}}{{#if profile.first_name}}, {{profile.first_name}}{{/if}}!',
        html:
          '<p>Hi {{#if profile.first_name}}{{profile.first_name}}{{else}}there{{/if}},</p>' +
          '<p>Welcome to {{company.name}}. A few minutes of setup gets you going:</p>' +
          '<p><a href="{{links.onboarding}}">Start here</a></p>',
        text: 'Welcome to {{company.name}}. Start here: {{links.onboarding}}',
      },
      next: 'wait_2h',
    },
    { id: 'wait_2h', type: 'wait', untilSinceEntry: '2h', next: 'getting_started' },
    {
      id: 'getting_started',
      type: 'send',
      name: 'Getting started by SMS, email when SMS cannot reach them',
      channel: 'sms',
      content: {
        text: 'Welcome to {{company.name}}! Quick guides to get started: {{links.help_center}}',
      },
      fallback: {
        channel: 'email',
        content: {
          subject: 'Your first steps with {{company.name}}',
          html: '<p>Need a hand? Our help center has quick guides: <a href="{{links.help_center}}">help center</a>.</p>',
        },
      },
      next: 'wait_1d',
    },
    { id: 'wait_1d', type: 'wait', untilSinceEntry: '1d', next: 'profile_completed_check' },
    {
      id: 'profile_completed_check',
      type: 'branch',
      name: 'Profile completed?',
      when: {
        match: 'all',
        conditions: [{ field: 'profile.profile_completed', op: 'eq', value: true }],
      },
      then: 'wait_3d',
      else: 'complete_profile_nudge',
    },
    {
      id: 'complete_profile_nudge',
      type: 'send',
      name: 'Complete your profile (push)',
      channel: 'push',
      content: {
        title: 'Finish setting up your {{company.name}} profile',
        body: 'You are almost there: a couple of details and you are done.',
        deepLink: '{{links.profile}}',
      },
      next: 'wait_3d',
    },
    { id: 'wait_3d', type: 'wait', untilSinceEntry: '3d', next: 'tips_email' },
    {
      id: 'tips_email',
      type: 'send',
      name: 'Getting the most',
      channel: 'email',
      content: {
        subject: 'Getting the most from {{company.name}}',
        html:
          '<p>Hi {{#if profile.first_name}}{{profile.first_name}}{{else}}there{{/if}},</p>' +
          '<p>Here is how customers get the most from {{company.name}}: ' +
          '<a href="{{links.help_center}}">tips and guides</a>.</p>',
      },
    },
  ],
});
