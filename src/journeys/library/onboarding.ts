import type { JourneyDefinition } from '../schema';
import { parseJourneyDefinition } from '../validate';

/**
 * Seed scenario D (trigger onboarding_started). Welcome email, a second message 1h later, then
 * up to 2 days for profile_completion. Without it: a reminder, a second reminder 2h later, and
 * one more wait for completion until the journey's 7-day limit. onboarding_complete is set only
 * on the path where the customer really completed their profile (the seed set it always).
 * Unsubscribing ends the run.
 */
export const onboarding: JourneyDefinition = parseJourneyDefinition({
  id: 'onboarding',
  name: 'Onboarding',
  description: 'Guides a new customer to a completed profile within a week.',
  trigger: { event: 'onboarding_started' },
  reEntry: { mode: 'once' },
  exitOn: [{ event: 'unsubscribe' }],
  maxDuration: '7d',
  entry: 'welcome_email',
  steps: [
    {
      id: 'welcome_email',
      type: 'send',
      name: 'Welcome email, then setup tips by push an hour later',
      messages: [
        {
          channel: 'email',
          content: {
            subject:
              'Welcome to {{company.name}}{{#if profile.first_name}}, {{profile.first_name}}{{/if}}',
            html: '<p>Let us get you set up. <a href="{{links.onboarding}}">Start onboarding</a></p>',
          },
        },
        {
          channel: 'push',
          offset: '1h',
          content: {
            title: 'Three quick steps to get started',
            body: 'Complete your profile to get the most from {{company.name}}.',
            deepLink: '{{links.profile}}',
          },
        },
      ],
      next: 'await_profile_completion',
    },
    {
      id: 'await_profile_completion',
      type: 'waitForEvent',
      name: 'Profile completed within 2 days?',
      event: 'profile_completion',
      timeout: '2d',
      onEvent: 'mark_onboarding_complete',
      onTimeout: 'completion_reminder',
    },
    {
      id: 'completion_reminder',
      type: 'send',
      name: 'Completion reminder by email, then by SMS two hours later',
      messages: [
        {
          channel: 'email',
          content: {
            subject: 'Your {{company.name}} profile is almost done',
            html: '<p>A couple of details are missing. <a href="{{links.profile}}">Finish your profile</a></p>',
          },
        },
        {
          channel: 'sms',
          offset: '2h',
          content: {
            text: 'One last step at {{company.name}}: finish your profile {{links.profile}}',
          },
        },
      ],
      next: 'await_late_completion',
    },
    {
      id: 'await_late_completion',
      type: 'waitForEvent',
      name: 'Profile completed before the week is out?',
      event: 'profile_completion',
      timeout: '7d',
      onEvent: 'mark_onboarding_complete',
    },
    {
      id: 'mark_onboarding_complete',
      type: 'updateProfile',
      name: 'Mark onboarding complete',
      set: { onboarding_complete: true },
    },
  ],
});
