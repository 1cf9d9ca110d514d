import { onboarding, reEngagement, welcomeSeries } from '../../src/journeys/library';
import { simulate } from '../../src/journeys/preview';
import type { JourneyDefinition } from '../../src/journeys/schema';
import type { JsonObject } from '../../src/journeys/run-types';
import { DAY, HOUR, T0, event, profile } from './helpers';

function run(
  definition: JourneyDefinition,
  options: { profile?: JsonObject; events?: { at: number; type: string }[]; trigger?: string } = {},
) {
  // Re-engagement starts on entering the inactive_30d segment: its trigger names the segment.
  const properties: JsonObject = definition === reEngagement ? { segment_id: 'inactive_30d' } : {};
  return simulate(definition, {
    profile: profile(options.profile ?? {}),
    trigger: event(options.trigger ?? definition.trigger?.event ?? 'start', properties),
    now: T0,
    horizonMs: 30 * DAY,
    events: (options.events ?? []).map((e) => ({ at: e.at, event: event(e.type, {}, e.at) })),
  });
}

const schedule = (result: ReturnType<typeof run>) =>
  result.sends.map((s) => [s.stepId, (s.at - T0) / HOUR]);

describe('onboarding', () => {
  it('marks onboarding complete when the profile is completed within 2 days', () => {
    const result = run(onboarding, {
      events: [{ at: T0 + 20 * HOUR, type: 'profile_completion' }],
    });
    expect(schedule(result)).toEqual([
      ['welcome_email', 0],
      ['welcome_email', 1],
    ]);
    const update = result.timeline.find((t) => t.command.kind === 'update_profile');
    expect(update).toEqual({
      at: T0 + 20 * HOUR,
      command: {
        kind: 'update_profile',
        stepId: 'mark_onboarding_complete',
        visit: 1,
        set: { onboarding_complete: true },
      },
    });
    expect(result.finalState).toMatchObject({ status: 'completed', finishReason: 'completed' });
    expect(result.finalState.profile).toMatchObject({ onboarding_complete: true });
    expect(result.finalState.context.last_event).toMatchObject({ type: 'profile_completion' });
  });

  it('sends two reminders after the 2-day timeout and never marks an incomplete profile', () => {
    const result = run(onboarding);
    expect(schedule(result)).toEqual([
      ['welcome_email', 0],
      ['welcome_email', 1],
      ['completion_reminder', 49],
      ['completion_reminder', 51],
    ]);
    expect(result.timeline.some((t) => t.command.kind === 'update_profile')).toBe(false);
    expect(result.decisions).toContainEqual(
      expect.objectContaining({ kind: 'timeout', stepId: 'await_profile_completion' }),
    );
    expect(result.finalState).toMatchObject({ status: 'exited', finishReason: 'max_duration' });
    expect(result.timeline[result.timeline.length - 1]?.at).toBe(T0 + 7 * DAY);
  });

  it('marks onboarding complete when the profile is completed after the reminders', () => {
    const result = run(onboarding, { events: [{ at: T0 + 4 * DAY, type: 'profile_completion' }] });
    expect(schedule(result).map(([id]) => id)).toEqual([
      'welcome_email',
      'welcome_email',
      'completion_reminder',
      'completion_reminder',
    ]);
    expect(result.timeline.some((t) => t.command.kind === 'update_profile')).toBe(true);
    expect(result.finalState.finishReason).toBe('completed');
  });

  it('exits on unsubscribe', () => {
    const result = run(onboarding, { events: [{ at: T0 + 30 * 60_000, type: 'unsubscribe' }] });
    expect(schedule(result)).toEqual([['welcome_email', 0]]);
    expect(result.finalState).toMatchObject({ status: 'exited', finishReason: 'exit_event' });
  });
});

describe('re-engagement', () => {
  const oldPurchase = { last_purchase_at: new Date(T0 - 60 * DAY).toISOString() };

  it('stops after the first email when it is opened', () => {
    const result = run(reEngagement, {
      profile: oldPurchase,
      events: [{ at: T0 + DAY, type: 'email_opened' }],
    });
    expect(schedule(result)).toEqual([['we_miss_you', 0]]);
    expect(result.finalState).toMatchObject({ status: 'completed', finishReason: 'completed' });
  });

  it('sends the second message at 3 days and the survey at 1 week without engagement', () => {
    const result = run(reEngagement, { profile: oldPurchase });
    expect(schedule(result)).toEqual([
      ['we_miss_you', 0],
      ['second_chance', 72],
      ['survey_email', 168],
    ]);
  });

  it('skips the survey when the second message is clicked', () => {
    const result = run(reEngagement, {
      profile: oldPurchase,
      events: [{ at: T0 + 4 * DAY, type: 'sms_clicked' }],
    });
    expect(schedule(result).map(([id]) => id)).toEqual(['we_miss_you', 'second_chance']);
  });

  it('admits customers who never purchased', () => {
    expect(run(reEngagement).sends).toHaveLength(3);
  });

  it('keeps out recent purchasers, and traces why', () => {
    const result = run(reEngagement, {
      profile: { last_purchase_at: new Date(T0 - 5 * DAY).toISOString() },
    });
    expect(result.sends).toEqual([]);
    expect(result.finalState).toMatchObject({
      status: 'exited',
      finishReason: 'audience_mismatch',
    });
    // The trigger's condition (the segment entered is inactive_30d) passed; the audience did not.
    const decisions = result.decisions.filter((d) => d.kind === 'condition').map((d) => d.summary);
    expect(decisions).toEqual([
      'trigger matched: 1 of 1 conditions passed (match all)',
      'audience not matched: 0 of 2 conditions passed (match any)',
    ]);
  });

  it('keeps out a customer whose last purchase date cannot be read (fail closed)', () => {
    expect(
      run(reEngagement, { profile: { last_purchase_at: 'last tuesday' } }).finalState.finishReason,
    ).toBe('audience_mismatch');
  });
});

describe('welcome series', () => {
  it('sends the profile nudge at +1 day when the profile is not completed', () => {
    expect(schedule(run(welcomeSeries))).toEqual([
      ['welcome_email', 0],
      ['getting_started', 2],
      ['complete_profile_nudge', 24],
      ['tips_email', 72],
    ]);
  });

  it('skips the nudge when the profile is completed', () => {
    expect(schedule(run(welcomeSeries, { profile: { profile_completed: true } }))).toEqual([
      ['welcome_email', 0],
      ['getting_started', 2],
      ['tips_email', 72],
    ]);
  });
});
