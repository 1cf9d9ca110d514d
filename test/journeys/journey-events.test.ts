import { DAY, HOUR, T0, event } from './helpers';
import { begin, define, feed } from './run-helpers';

describe('events, duplicates and cancel', () => {
  const definition = define([{ id: 'pause', type: 'wait', for: '1d' }], {
    exitOn: [
      {
        event: 'unsubscribe',
        when: { conditions: [{ field: 'event.properties.topic', op: 'eq', value: 'all' }] },
      },
    ],
    goal: { event: 'purchase', exit: false },
  });

  it('ignores a duplicate event id', () => {
    const e = event('purchase');
    const once = feed(definition, begin(definition), { kind: 'event', now: T0 + HOUR, event: e });
    expect(once.state.goalReachedAt).toBe(T0 + HOUR);
    const recorded = feed(definition, once, {
      kind: 'conversion_recorded',
      now: T0 + HOUR,
      summary: {},
    });
    const twice = feed(definition, recorded, { kind: 'event', now: T0 + 2 * HOUR, event: e });
    expect(twice.command).toBe(recorded.command);
    expect(twice.state.goalReachedAt).toBe(T0 + HOUR);
    expect(twice.state.pendingConversion).toBeNull();
    expect(twice.state.trace.pop()).toMatchObject({
      kind: 'event_ignored',
      summary: 'duplicate purchase event ignored',
    });
  });

  it('passes over its own trigger routed to it as an event, without a trace entry', () => {
    const trigger = event('signup');
    const t = begin(definition, { trigger });
    const again = feed(definition, t, { kind: 'event', now: T0 + 1, event: trigger });
    expect(again.command).toBe(t.command);
    expect(again.state.trace).toEqual(t.state.trace);
    expect(again.state.trace.some((d) => d.summary.includes('duplicate'))).toBe(false);
  });

  it('still passes over its trigger after more events than it remembers ids of', () => {
    const trigger = event('purchase');
    let t = begin(definition, { trigger });
    for (let i = 0; i < 250; i += 1)
      t = feed(definition, t, { kind: 'event', now: T0 + i, event: event('page_view') });
    const again = feed(definition, t, { kind: 'event', now: T0 + HOUR, event: trigger });
    expect(again.state.goalReachedAt).toBeNull();
    expect(again.state.trace).toEqual(t.state.trace);
  });

  it('records the goal without exiting when goal.exit is false', () => {
    const t = begin(definition);
    const goal = feed(definition, t, { kind: 'event', now: T0 + HOUR, event: event('purchase') });
    expect(goal.command).toMatchObject({ kind: 'record_conversion', windowMs: 7 * DAY });
    expect(goal.state.trace.pop()).toMatchObject({
      kind: 'goal',
      summary: 'goal reached: purchase',
    });
    const recorded = feed(definition, goal, {
      kind: 'conversion_recorded',
      now: T0 + HOUR,
      summary: { touches: 0 },
    });
    expect(recorded.command).toBe(t.command);
  });

  it('records the conversion, then finishes goal_reached, when the goal exits', () => {
    const exiting = { ...definition, goal: { event: 'purchase', exit: true } };
    const t = feed(exiting, begin(exiting), {
      kind: 'event',
      now: T0 + HOUR,
      event: event('purchase'),
    });
    expect(t.state).toMatchObject({ status: 'completed', finishReason: 'goal_reached' });
    expect(t.command).toMatchObject({ kind: 'record_conversion' });
    const done = feed(exiting, t, { kind: 'conversion_recorded', now: T0 + HOUR, summary: {} });
    expect(done.command).toEqual({ kind: 'finish', status: 'completed', reason: 'goal_reached' });
  });

  it('applies exitOn conditions over the event', () => {
    const t = begin(definition);
    const partial = feed(definition, t, {
      kind: 'event',
      now: T0 + HOUR,
      event: event('unsubscribe', { topic: 'news' }),
    });
    expect(partial.command).toBe(t.command);
    const full = feed(definition, partial, {
      kind: 'event',
      now: T0 + HOUR,
      event: event('unsubscribe', { topic: 'all' }),
    });
    expect(full.command).toEqual({ kind: 'finish', status: 'exited', reason: 'exit_event' });
  });

  it('cancels on request, and stays finished afterwards', () => {
    const t = feed(definition, begin(definition), {
      kind: 'cancel',
      now: T0 + HOUR,
      reason: 'support request',
    });
    expect(t.command).toEqual({ kind: 'finish', status: 'cancelled', reason: 'cancelled' });
    const after = feed(definition, t, { kind: 'timer', now: T0 + DAY });
    expect(after.command).toEqual(t.command);
    expect(after.state.trace).toEqual(t.state.trace);
  });

  it('bounds the list of remembered event ids', () => {
    let t = begin(definition);
    for (let i = 0; i < 300; i += 1)
      t = feed(definition, t, { kind: 'event', now: T0 + i, event: event('page_view') });
    expect(t.state.seenEventIds.length).toBeLessThanOrEqual(200);
  });
});
