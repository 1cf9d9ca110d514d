import { readFileSync } from 'node:fs';
import path from 'node:path';
import { advance } from '../../src/journeys/interpreter';
import type { Transition } from '../../src/journeys/run-types';
import type { JourneyDefinition } from '../../src/journeys/schema';
import { deepFreeze } from './property-driver';
import { DAY, T0, event } from './helpers';

/**
 * A run continued-as-new carries its state in its input, so a state written by an older
 * interpreter must still advance. The fixture is the state main's interpreter (401eea6) left
 * after a keyed run sent a message, saw it opened and reached a non-exiting goal, waiting at a
 * waitForEvent: the trigger in seenEventIds, engagement and deliverySteps present.
 */
const fixture = JSON.parse(
  readFileSync(path.join(__dirname, 'fixtures/run-state-401eea6.json'), 'utf8'),
) as { definition: JourneyDefinition; transition: Transition };
const { definition, transition } = deepFreeze(fixture);
const feed = (input: Parameters<typeof advance>[2]) => advance(definition, transition.state, input);

describe('a run state written by the previous interpreter', () => {
  it('is waiting where it was left', () => {
    expect(transition.command).toMatchObject({ kind: 'wait', stepId: 'await' });
    expect(transition.state.seenEventIds).toContain('trig-1');
  });

  it('passes over its trigger without a trace entry', () => {
    const t = feed({ kind: 'event', now: T0 + DAY, event: transition.state.trigger! });
    expect(t.command).toEqual(transition.command);
    expect(t.state.trace).toEqual(transition.state.trace);
  });

  it('takes the matching event of its cart and moves on', () => {
    const checkout = event('checkout_started', { cart_id: 'c1' });
    const t = feed({ kind: 'event', now: T0 + DAY, event: checkout });
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'thanks', visit: 1 });
  });

  it('times out into its onTimeout step', () => {
    const until = (transition.command as { until: number }).until;
    const t = feed({ kind: 'timer', now: until });
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'nudge' });
  });

  it('adds a click to the engagement it carries, without touching it', () => {
    const click = event('email_clicked', { deliveryId: 'd1' });
    const t = feed({ kind: 'event', now: T0 + DAY, event: click });
    expect(t.state.engagement).toEqual({ hello: { opened: T0 + 60_000, clicked: T0 + DAY } });
    expect(transition.state.engagement).toEqual({ hello: { opened: T0 + 60_000 } });
  });
});
