import { evaluateCondition } from '../../src/journeys/conditions';
import { MEMBERSHIP_FIELD, resolveField } from '../../src/journeys/field-paths';
import { readsProfile } from '../../src/journeys/profile-reads';
import type { Transition } from '../../src/journeys/run-types';
import { segmentReads } from '../../src/journeys/segment-reads';
import { validateJourneyDefinition } from '../../src/journeys/validate';
import { HOUR, T0, event, profile } from './helpers';
import { begin, define, feed } from './run-helpers';

const member = profile({ [MEMBERSHIP_FIELD]: ['high_value', 'vip'] });
const outsider = profile({ [MEMBERSHIP_FIELD]: [] });

describe('segments.<id> reads the profile’s membership list', () => {
  it('a member reads true, a non-member false, an unknown membership missing', () => {
    expect(resolveField('segments.vip', { profile: member })).toEqual({
      missing: false,
      value: true,
    });
    expect(resolveField('segments.vip', { profile: outsider })).toEqual({
      missing: false,
      value: false,
    });
    // A profile without the list (none loaded, a preview's described one) knows nothing.
    expect(resolveField('segments.vip', { profile: profile() }).missing).toBe(true);
    expect(resolveField('segments.vip', {}).missing).toBe(true);
    expect(resolveField('segments.vip.x', { profile: member }).missing).toBe(true);
  });

  it('fails closed: eq false does not pass when membership is unknown', () => {
    const notVip = { field: 'segments.vip', op: 'eq', value: false } as const;
    expect(evaluateCondition(notVip, { profile: outsider }, T0).passed).toBe(true);
    expect(evaluateCondition(notVip, { profile: member }, T0).passed).toBe(false);
    expect(evaluateCondition(notVip, { profile: profile() }, T0).passed).toBe(false);
  });

  it('an attribute cannot pose as the membership list', () => {
    expect(resolveField('profile.segments', { profile: profile({ segments: ['vip'] }) })).toEqual({
      missing: false,
      value: ['vip'],
    });
    expect(resolveField('segments.vip', { profile: profile({ segments: ['vip'] }) }).missing).toBe(
      true,
    );
  });
});

const vip = { field: 'segments.vip', op: 'eq', value: true } as const;

describe('where a journey may read segments.<id>', () => {
  const base = {
    id: 'vip-journey',
    name: 'VIP',
    entry: 'decide',
    steps: [
      { id: 'decide', type: 'branch', when: { conditions: [vip] }, then: 'wait' },
      {
        id: 'wait',
        type: 'waitForEvent',
        event: 'purchase',
        timeout: '1d',
        where: {
          match: 'any',
          conditions: [{ field: 'segments.high_value', op: 'eq', value: true }],
        },
      },
    ],
  };

  it('lists the reads of trigger.when, audience, branches and waitForEvent where, by path', () => {
    const parsed = validateJourneyDefinition({
      ...base,
      trigger: { event: 'signup', when: { conditions: [vip] } },
      audience: { conditions: [{ field: 'segments.banned', op: 'eq', value: false }] },
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(segmentReads(parsed.definition)).toEqual([
      { path: 'trigger.when.conditions.0.field', segmentId: 'vip' },
      { path: 'audience.conditions.0.field', segmentId: 'banned' },
      { path: 'steps.0.when.conditions.0.field', segmentId: 'vip' },
      { path: 'steps.1.where.conditions.0.field', segmentId: 'high_value' },
    ]);
    // Branches and waitForEvent load their own profile: entry need not load it for them.
    expect(readsProfile({ ...parsed.definition, trigger: undefined, audience: undefined })).toBe(
      false,
    );
  });

  it.each([
    [{ exitOn: [{ event: 'x', when: { conditions: [vip] } }] }, 'exitOn.0.when.conditions.0.field'],
    [{ goal: { event: 'purchase', when: { conditions: [vip] } } }, 'goal.when.conditions.0.field'],
    [
      { goal: { event: 'purchase', match: { key: 'k', equals: 'segments.vip' } } },
      'goal.match.equals',
    ],
  ])('refuses a read that would be stale: %j', (extra, path) => {
    const result = validateJourneyDefinition({ ...base, ...extra });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual({
      path,
      message: expect.stringMatching(/read only in trigger\.when, audience/) as string,
    });
  });

  it('refuses an updateProfile copying from segments and a path naming no segment', () => {
    const result = validateJourneyDefinition({
      ...base,
      steps: [
        {
          id: 'decide',
          type: 'branch',
          when: { conditions: [{ field: 'segments.Vip', op: 'eq', value: true }] },
          then: 'copy',
        },
        { id: 'copy', type: 'updateProfile', set: { vip: { from: 'segments.vip' } } },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual([
      'steps.0.when.conditions.0.field',
      'steps.1.set.vip.from',
    ]);
  });
});

describe('a waitForEvent reading segments decides on a profile loaded when the event arrives', () => {
  const definition = define([
    {
      id: 'wait',
      type: 'waitForEvent',
      event: 'purchase',
      timeout: '1d',
      where: { conditions: [vip] },
      onEvent: 'done',
      onTimeout: 'late',
    },
    { id: 'done', type: 'exit', reason: 'vip purchase' },
    { id: 'late', type: 'exit', reason: 'no vip purchase' },
  ]);
  // Entered on a profile that says "member": the step must not trust it later.
  const waiting = (): Transition => begin(definition, { fields: { [MEMBERSHIP_FIELD]: ['vip'] } });

  it('asks for the profile, then takes the event for a member', () => {
    const purchase = event('purchase', {}, T0 + HOUR);
    const loading = feed(definition, waiting(), { kind: 'event', now: T0 + HOUR, event: purchase });
    expect(loading.command).toEqual({ kind: 'load_profile' });
    const done = feed(definition, loading, { kind: 'profile', now: T0 + HOUR, profile: member });
    expect(done.state).toMatchObject({ status: 'exited', finishReason: 'exit_step' });
    expect(done.state.context.last_event).toMatchObject({ id: purchase.id });
  });

  it('keeps waiting, to the same deadline, when the customer left the segment meanwhile', () => {
    const loading = feed(definition, waiting(), {
      kind: 'event',
      now: T0 + HOUR,
      event: event('purchase', {}, T0 + HOUR),
    });
    const still = feed(definition, loading, { kind: 'profile', now: T0 + HOUR, profile: outsider });
    expect(still.command).toMatchObject({ kind: 'wait', stepId: 'wait', until: T0 + 24 * HOUR });
    expect(still.state.eventsAwaitingProfile).toBeNull();
    expect(still.state.trace.some((d) => d.kind === 'event_ignored')).toBe(true);
  });

  it('decides on events that arrive while the profile loads, in order, and replays the rest', () => {
    const twoStep = define([
      {
        id: 'first',
        type: 'waitForEvent',
        event: 'purchase',
        timeout: '1d',
        where: { conditions: [vip] },
        onEvent: 'second',
      },
      { id: 'second', type: 'waitForEvent', event: 'purchase', timeout: '1d', onEvent: 'done' },
      { id: 'done', type: 'exit' },
    ]);
    let t = begin(twoStep);
    const [a, b, c] = [1, 2, 3].map((n) => event('purchase', { n }, T0 + n));
    t = feed(twoStep, t, { kind: 'event', now: T0 + 1, event: a! });
    t = feed(twoStep, t, { kind: 'event', now: T0 + 2, event: b! });
    t = feed(twoStep, t, { kind: 'event', now: T0 + 3, event: c! });
    expect(t.command).toEqual({ kind: 'load_profile' });
    expect(t.state.eventsAwaitingProfile?.map((e) => e.id)).toEqual([a!.id, b!.id, c!.id]);
    // The first one takes the step; the second goes to the next waitForEvent, which ends the run.
    t = feed(twoStep, t, { kind: 'profile', now: T0 + 4, profile: member });
    expect(t.state).toMatchObject({ status: 'exited', finishReason: 'exit_step' });
    expect(t.state.context.last_event).toMatchObject({ id: b!.id });
  });
});
