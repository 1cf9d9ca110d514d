import { advance, startRun } from '../../src/journeys/interpreter';
import type { Input, Transition } from '../../src/journeys/run-types';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { HOUR, T0, event, profile } from './helpers';

const email = { subject: 'Hi', html: '<p>Hi</p>' };
const definition = parseJourneyDefinition({
  id: 'unexpected',
  name: 'Unexpected inputs',
  entry: 'hello',
  steps: [
    { id: 'hello', type: 'send', channel: 'email', content: email, next: 'pause' },
    { id: 'pause', type: 'wait', for: '1d', next: 'bye' },
    { id: 'bye', type: 'send', channel: 'email', content: email },
  ],
});

function atSend(): Transition {
  const started = startRun(
    { definition, journeyVersion: 1, customerId: 'cust-1', defaultTimeZone: 'UTC' },
    T0,
  );
  return advance(definition, started.state, { kind: 'profile', now: T0, profile: profile() });
}

function atWait(): Transition {
  const t = atSend();
  return advance(definition, t.state, {
    kind: 'send_result',
    now: T0,
    outcome: { status: 'sent', deliveryId: 'd1' },
  });
}

/** Feeds an input nobody asked for and checks that only the trace changed, and how. */
function expectUnexpected(t: Transition, input: Input, pending: string): void {
  const next = advance(definition, t.state, input);
  expect(next.command).toBe(t.command);
  expect({ ...next.state, trace: t.state.trace }).toEqual(t.state);
  expect(next.state.trace).toHaveLength(t.state.trace.length + 1);
  expect(next.state.trace.at(-1)).toMatchObject({
    kind: 'input_unexpected',
    at: input.now,
    detail: { input: input.kind, pending },
  });
}

describe('an input the run did not ask for', () => {
  it('a send result while waiting is traced and changes nothing', () => {
    const t = atWait();
    expect(t.command).toMatchObject({ kind: 'wait', stepId: 'pause' });
    const outcome = { status: 'sent' as const, deliveryId: 'd2' };
    expectUnexpected(t, { kind: 'send_result', now: T0 + HOUR, outcome }, 'wait');
  });

  it('a timer during a send is traced and changes nothing', () => {
    const t = atSend();
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'hello' });
    expectUnexpected(t, { kind: 'timer', now: T0 + HOUR }, 'send');
  });

  it('a timer before the wait ends is traced with the time the wait ends', () => {
    const t = atWait();
    expectUnexpected(t, { kind: 'timer', now: T0 + HOUR }, 'wait');
    const next = advance(definition, t.state, { kind: 'timer', now: T0 + HOUR });
    expect(next.state.trace.at(-1)?.summary).toContain('2026-01-06T10:00:00.000Z');
  });

  it('a profile update, engagement history or conversion nobody asked for is traced', () => {
    const t = atWait();
    expectUnexpected(t, { kind: 'profile_updated', now: T0, profile: profile() }, 'wait');
    expectUnexpected(t, { kind: 'engagement', now: T0, engagedAt: [T0] }, 'wait');
    const next = advance(definition, t.state, {
      kind: 'conversion_recorded',
      now: T0,
      summary: {},
    });
    expect(next.command).toBe(t.command);
    expect(next.state.trace.at(-1)).toMatchObject({ kind: 'input_unexpected' });
  });

  it('while a conversion is to be recorded, only its answer counts, then the step goes on', () => {
    const withGoal = { ...definition, goal: { event: 'purchase', exit: false } };
    const sending = atSend();
    const purchase = advance(withGoal, sending.state, {
      kind: 'event',
      now: T0,
      event: event('purchase'),
    });
    expect(purchase.command).toMatchObject({ kind: 'record_conversion' });
    const early = advance(withGoal, purchase.state, {
      kind: 'send_result',
      now: T0,
      outcome: { status: 'sent', deliveryId: 'd1' },
    });
    expect(early.command).toEqual(purchase.command);
    expect(early.state.trace.at(-1)).toMatchObject({
      kind: 'input_unexpected',
      detail: { input: 'send_result', pending: 'record_conversion' },
    });
    const recorded = advance(withGoal, early.state, {
      kind: 'conversion_recorded',
      now: T0,
      summary: {},
    });
    expect(recorded.command).toBe(sending.command);
  });

  it('the expected answer still moves the run on', () => {
    const t = atWait();
    const next = advance(definition, t.state, { kind: 'timer', now: T0 + 24 * HOUR });
    expect(next.command).toMatchObject({ kind: 'send', stepId: 'bye' });
  });
});
