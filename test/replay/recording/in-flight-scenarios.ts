import { abandonedCart, onboarding, reEngagement } from '../../../src/journeys/library';
import { eventSignal } from '../../../src/workflows/messages';
import {
  cartAbandoned,
  HOUR,
  MINUTE,
  oneRunScenario,
  replayEvent,
  restingAt,
  startJourney,
  type Scenario,
} from './recording';

const DAY = 24 * HOUR;

/**
 * Built-in journeys caught in the middle: the histories a deploy meets most, since most runs are
 * waiting at any moment.
 */
export const inFlightScenarios: Scenario[] = [
  oneRunScenario({
    name: 'abandoned-cart-waiting',
    customerId: 'replay-ines',
    customer: { consent: { sms: 'opted_in' } },
    journey: abandonedCart.id,
    state: 'waiting at wait_12h after the email, the branch and the SMS',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, abandonedCart, customerId, {
        key: 'cart-r1',
        trigger: cartAbandoned(customerId),
      });
      await restingAt(handle, 'wait_1h');
      await recording.sleep(6 * HOUR + MINUTE);
      await restingAt(handle, 'wait_12h');
      return handle;
    },
  }),
  oneRunScenario({
    name: 're-engagement-waiting-for-open',
    customerId: 'replay-jun',
    journey: reEngagement.id,
    state: 'waiting in a waitForEvent, after an event it ignored',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, reEngagement, customerId, {
        trigger: replayEvent(customerId, 'customer_inactive'),
      });
      await restingAt(handle, 'await_open');
      // An event it does not wait for: the waitForEvent timer is cancelled and started again.
      await handle.signal(eventSignal, replayEvent(customerId, 'page_viewed'));
      await restingAt(handle, 'await_open', (view) =>
        view.trace.some((d) => d.kind === 'event_ignored'),
      );
      return handle;
    },
  }),
  oneRunScenario({
    name: 'onboarding-between-messages',
    customerId: 'replay-kai',
    customer: { consent: { sms: 'opted_in' } },
    journey: onboarding.id,
    state: 'waiting inside a send step for the offset of its second message',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, onboarding, customerId, {
        trigger: replayEvent(customerId, 'onboarding_started'),
      });
      await restingAt(handle, 'welcome_email');
      // Past the push at +1 h and the 2-day wait for completion: the reminder email went out
      // and the SMS two hours after it is pending.
      await recording.sleep(2 * DAY + 2 * HOUR);
      await restingAt(handle, 'completion_reminder');
      return handle;
    },
  }),
];
