import { cartAbandonment24h } from '../../../src/journeys/library';
import { eventSignal } from '../../../src/workflows/messages';
import { oneRunScenario, replayEvent, restingAt, startJourney, type Scenario } from './recording';

/** Runs whose trigger delays their entry (trigger.delay): entered after the re-check, or vetoed. */
export const triggerRuleScenarios: Scenario[] = [
  oneRunScenario({
    name: 'entry-delay-entered',
    customerId: 'replay-ines',
    journey: cartAbandonment24h.id,
    state: 'completed: waited out its entry delay, re-checked its vetoes, sent its reminder',
    async drive(recording, customerId) {
      const trigger = replayEvent(customerId, 'add_to_cart', { cart_value: 40 });
      const handle = await startJourney(recording, cartAbandonment24h, customerId, { trigger });
      await handle.result();
      return handle;
    },
  }),
  oneRunScenario({
    name: 'entry-delay-vetoed',
    customerId: 'replay-omar',
    journey: cartAbandonment24h.id,
    state: 'exited as vetoed: a purchase arrived while it waited to enter',
    async drive(recording, customerId) {
      const trigger = replayEvent(customerId, 'add_to_cart', { cart_value: 40 });
      const handle = await startJourney(recording, cartAbandonment24h, customerId, { trigger });
      await restingAt(handle, null);
      await handle.signal(eventSignal, replayEvent(customerId, 'purchase', { order_total: 40 }));
      await handle.result();
      return handle;
    },
  }),
];
