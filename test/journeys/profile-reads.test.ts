import fc from 'fast-check';
import { journey, field, where } from '../../src/journeys/builders';
import { advance, startRun } from '../../src/journeys/interpreter';
import { readsProfile } from '../../src/journeys/profile-reads';
import type { RunInput, Transition } from '../../src/journeys/run-types';
import type { JourneyDefinition, JourneyDefinitionInput, Step } from '../../src/journeys/schema';
import { parseJourneyDefinition } from '../../src/journeys/validate';

type StepInput = JourneyDefinitionInput['steps'][number];
import { journeyArb } from './journey-arbitraries';
import { drive, setupArb } from './property-driver';
import { profile, T0 } from './helpers';

const receipt = { subject: 'Your order', html: '<p>Order {{trigger.order_id}}</p>' };

const receipts = journey('receipts')
  .name('Receipts')
  .trigger('order_placed')
  .steps((s) => [
    s.send('confirm', { kind: 'transactional', content: receipt }),
    s.wait('later', { for: '1d' }),
    s.send('follow_up', { kind: 'transactional', content: receipt }),
  ])
  .build();

const inputOf = (definition: JourneyDefinition): RunInput => ({
  definition,
  journeyVersion: 1,
  customerId: 'cust-1',
  defaultTimeZone: 'UTC',
});

const ADA = profile({ first_name: 'Ada', plan: 'pro', timeZone: 'Europe/Berlin' });

/** What a run decided at each point: its command, status and trace (not the profile it holds). */
const decision = ({ command, state }: Transition) => ({
  command,
  status: state.status,
  finishReason: state.finishReason,
  trace: state.trace,
});

/** A random journey made to read no profile: sends transactional, no audience, duration waits. */
function readingNoProfile(definition: JourneyDefinition): JourneyDefinition {
  const steps = definition.steps.map((step): Step => {
    if (step.type === 'send') return { ...step, kind: 'transactional' };
    if (step.type === 'wait' && (step.untilLocalTime || step.untilBestHour)) {
      return { id: step.id, type: 'wait', untilSinceEntry: '3h', next: step.next };
    }
    return step;
  });
  const withoutAudience: JourneyDefinition = { ...definition, steps };
  delete withoutAudience.audience;
  return withoutAudience;
}

const exists = (path: string) => ({ field: path, op: 'exists' as const, value: true });
const group = (path: string) => ({ conditions: [exists(path)] });
const marketingSend: StepInput = {
  id: 'promo',
  type: 'send',
  kind: 'marketing',
  channel: 'email',
  content: receipt,
};

/** The receipts journey with journey-level settings changed, or with one more step. */
function changed(change: Partial<JourneyDefinitionInput> | StepInput): JourneyDefinition {
  const input = JSON.parse(JSON.stringify(receipts)) as JourneyDefinitionInput;
  const more = 'type' in change ? { steps: [...input.steps, change] } : change;
  return parseJourneyDefinition({ ...input, ...more });
}

describe('readsProfile', () => {
  it('is false for transactional sends, duration waits, exits and self-loading branches', () => {
    expect(readsProfile(receipts)).toBe(false);
    const branching = journey('branching')
      .name('Branching')
      .steps((s) => [
        s.branch('vip', where(field('profile.plan').eq('pro')), { then: 'thanks', else: 'bye' }),
        s.send('thanks', { kind: 'transactional', content: receipt, next: 'bye' }),
        s.exit('bye'),
      ])
      .build();
    expect(readsProfile(branching)).toBe(false);
  });

  it.each<[string, Partial<JourneyDefinitionInput> | StepInput]>([
    ['an audience', { audience: group('profile.email') }],
    ['trigger conditions', { trigger: { event: 'order_placed', when: group('trigger.x') } }],
    ['a goal on the profile', { goal: { event: 'purchase', when: group('profile.plan') } }],
    ['an exitOn on the profile', { exitOn: [{ event: 'purchase', when: group('profile.plan') }] }],
    ['a marketing send (quiet hours read the zone)', marketingSend],
    ['a wait until a local time', { id: 'morning', type: 'wait', untilLocalTime: '09:00' }],
    [
      'a wait until the best hour',
      { id: 'best', type: 'wait', untilBestHour: { fallback: '10:00' } },
    ],
    [
      'an updateProfile copying from the profile',
      { id: 'copy', type: 'updateProfile', set: { x: { from: 'profile.y' } } },
    ],
    [
      'a waitForEvent matching on the profile',
      {
        id: 'w',
        type: 'waitForEvent',
        event: 'purchase',
        timeout: '1d',
        match: { key: 'cart_id', equals: 'profile.cart' },
      },
    ],
  ])('is true with %s', (_name, change) => {
    expect(readsProfile(changed(change))).toBe(true);
  });

  it('starts a journey that reads no profile at its first send, and one that does with the load', () => {
    const lazy = startRun(inputOf(receipts), T0, 'when_read');
    expect(lazy.command).toMatchObject({ kind: 'send', stepId: 'confirm' });
    expect(lazy.state.profile).toBeNull();
    // The default, and what older runs replay: the profile first.
    expect(startRun(inputOf(receipts), T0).command.kind).toBe('load_profile');
    const marketing = changed(marketingSend);
    expect(startRun(inputOf(marketing), T0, 'when_read').command.kind).toBe('load_profile');
  });

  it('decides every random journey that reads no profile the same without the entry load', () => {
    // Random journeys as they come (most read the profile, and are left out) and made to read none.
    const journeys = fc.oneof(journeyArb, journeyArb.map(readingNoProfile));
    let compared = 0;
    fc.assert(
      fc.property(setupArb(journeys), (setup) => {
        if (readsProfile(setup.definition)) return;
        compared += 1;
        const loaded = drive(setup, undefined, (input, now) => {
          const start = startRun(input, now, 'load');
          expect(start.command.kind).toBe('load_profile');
          return advance(setup.definition, start.state, { kind: 'profile', now, profile: ADA });
        });
        const lazy = drive(setup, undefined, (input, now) => startRun(input, now, 'when_read'));
        // Entered at once: a load now is a branch's own, at its step.
        expect(lazy[0]?.state.currentStepId ?? lazy[0]?.state.finishReason).not.toBeNull();
        expect(lazy.map(decision)).toEqual(loaded.map(decision));
      }),
      { numRuns: 1000 },
    );
    expect(compared).toBeGreaterThan(300);
  });
});
