import { advance, startRun } from '../../src/journeys/interpreter';
import type { Transition } from '../../src/journeys/run-types';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { DAY, HOUR, T0, event, profile } from './helpers';

const email = { subject: 'Hi', html: '<p>Hi</p>' };

const followUp = parseJourneyDefinition({
  id: 'follow-up',
  name: 'Follow up',
  entry: 'hello',
  goal: { event: 'purchase', within: '3d' },
  steps: [
    { id: 'hello', type: 'send', channel: 'email', content: email, next: 'pause' },
    { id: 'pause', type: 'wait', for: '2d', next: 'opened_check' },
    {
      id: 'opened_check',
      type: 'branch',
      when: { conditions: [{ field: 'engagement.hello.opened', op: 'eq', value: true }] },
      then: 'thanks',
      else: 'nudge',
    },
    { id: 'thanks', type: 'send', channel: 'email', content: email },
    { id: 'nudge', type: 'send', channel: 'email', content: email },
  ],
});

function toBranch(events: ReturnType<typeof event>[]): Transition {
  let t = startRun(
    { definition: followUp, journeyVersion: 1, customerId: 'cust-1', defaultTimeZone: 'UTC' },
    T0,
  );
  t = advance(followUp, t.state, { kind: 'profile', now: T0, profile: profile() });
  t = advance(followUp, t.state, {
    kind: 'send_result',
    now: T0,
    outcome: { status: 'sent', deliveryId: 'd1' },
  });
  for (const e of events)
    t = advance(followUp, t.state, { kind: 'event', now: T0 + HOUR, event: e });
  t = advance(followUp, t.state, { kind: 'timer', now: T0 + 2 * DAY });
  expect(t.command).toEqual({ kind: 'load_profile' });
  return advance(followUp, t.state, { kind: 'profile', now: T0 + 2 * DAY, profile: profile() });
}

describe('engagement conditions', () => {
  it('see that the email of a step was opened, from the open event naming that step', () => {
    const t = toBranch([event('email_opened', { stepId: 'hello', deliveryId: 'd1' })]);
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'thanks' });
    expect(t.state.trace.map((d) => d.kind)).toContain('engagement');
  });

  it('take the else branch without an open, and ignore opens of other steps', () => {
    const t = toBranch([event('email_opened', { stepId: 'another_step', deliveryId: 'd9' })]);
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'nudge' });
  });

  it('count a click as an open too', () => {
    const t = toBranch([event('email_clicked', { stepId: 'hello', deliveryId: 'd1' })]);
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'thanks' });
  });
});

describe('goals', () => {
  it('issue record_conversion, then finish once it is recorded', () => {
    let t = startRun(
      { definition: followUp, journeyVersion: 1, customerId: 'cust-1', defaultTimeZone: 'UTC' },
      T0,
    );
    t = advance(followUp, t.state, { kind: 'profile', now: T0, profile: profile() });
    t = advance(followUp, t.state, {
      kind: 'send_result',
      now: T0,
      outcome: { status: 'sent', deliveryId: 'd1' },
    });
    const purchase = event('purchase', { revenue: 42 });
    t = advance(followUp, t.state, { kind: 'event', now: T0 + HOUR, event: purchase });
    expect(t.state).toMatchObject({ status: 'completed', finishReason: 'goal_reached' });
    expect(t.command).toEqual({
      kind: 'record_conversion',
      event: purchase,
      windowMs: 3 * DAY,
      revenuePath: 'event.properties.revenue',
    });
    t = advance(followUp, t.state, {
      kind: 'conversion_recorded',
      now: T0 + HOUR,
      summary: { touches: 1 },
    });
    expect(t.state.pendingConversion).toBeNull();
    expect(t.state.trace.at(-1)).toMatchObject({ kind: 'conversion', detail: { touches: 1 } });
    expect(t.command).toMatchObject({ kind: 'finish', reason: 'goal_reached' });
  });
});
