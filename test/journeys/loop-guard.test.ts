import { MAX_STEPS_PER_DECISION } from '../../src/journeys';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import type { Transition } from '../../src/journeys/run-types';
import { T0 } from './helpers';
import { begin, define, defineUnchecked, feed } from './run-helpers';

const email = { subject: 'Hi', html: '<p>Hi</p>' };

/** Answers every send with `sent` a moment later, as a fast provider would; counts the sends. */
function driveSends(steps: JourneyDefinitionInput['steps'], unchecked = true) {
  const definition = unchecked ? defineUnchecked(steps) : define(steps);
  let t: Transition = begin(definition);
  let sends = 0;
  while (t.command.kind === 'send' && sends < 5 * MAX_STEPS_PER_DECISION) {
    sends += 1;
    t = feed(definition, t, {
      kind: 'send_result',
      now: T0 + sends * 100,
      outcome: { status: 'sent', deliveryId: `d${sends}` },
    });
  }
  return { sends, t };
}

describe('the zero-time loop guard bounds the sends between two waits', () => {
  it('fails a run of a send that loops to itself after at most 100 messages', () => {
    const { sends, t } = driveSends([
      { id: 'nudge', type: 'send', channel: 'email', content: email, next: 'nudge' },
    ]);
    expect(sends).toBe(100);
    expect(t.command).toEqual({ kind: 'finish', status: 'failed', reason: 'send_limit' });
    const finished = t.state.trace[t.state.trace.length - 1];
    expect(finished?.detail?.message).toContain('100 messages without a wait');
    expect(finished?.stepId).toBe('nudge');
  });

  it('counts the messages of a multi-message send and its fallbacks, not steps', () => {
    const { sends, t } = driveSends([
      {
        id: 'pair',
        type: 'send',
        messages: [
          { channel: 'email', content: email },
          { channel: 'sms', content: { text: 'Hi' } },
        ],
        next: 'pair',
      },
    ]);
    expect(sends).toBe(100);
    expect(t.command).toMatchObject({ reason: 'send_limit' });
  });

  it('lets a publishable journey with more messages than that send every one of them', () => {
    const steps: JourneyDefinitionInput['steps'] = Array.from({ length: 150 }, (_, i) => ({
      id: `s${i}`,
      type: 'send' as const,
      kind: 'transactional' as const,
      channel: 'email' as const,
      content: email,
      ...(i < 149 ? { next: `s${i + 1}` } : {}),
    }));
    const { sends, t } = driveSends(steps, false);
    expect(sends).toBe(150);
    expect(t.command).toEqual({ kind: 'finish', status: 'completed', reason: 'completed' });
  });

  it('starts counting again after every wait', () => {
    const definition = define([
      { id: 'nudge', type: 'send', channel: 'email', content: email, next: 'pause' },
      { id: 'pause', type: 'wait', for: '1m', next: 'nudge' },
    ]);
    let t = begin(definition);
    for (let i = 0; i < 300; i += 1) {
      expect(t.command).toMatchObject({ kind: 'send', visit: i + 1 });
      t = feed(definition, t, {
        kind: 'send_result',
        now: T0 + i * 60_000,
        outcome: { status: 'sent', deliveryId: `d${i}` },
      });
      t = feed(definition, t, { kind: 'timer', now: T0 + (i + 1) * 60_000 });
    }
    expect(t.command).toMatchObject({ kind: 'send', visit: 301 });
  });
});
