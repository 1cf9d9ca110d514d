import {
  abandonedCart,
  onboarding,
  reEngagement,
  welcomeSeries,
} from '../../../src/journeys/library';
import { cancelSignal, eventSignal } from '../../../src/workflows/messages';
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

/** The four built-in journeys, each in the end states their shapes reach. */
export const builtInScenarios: Scenario[] = [
  oneRunScenario({
    name: 'welcome-series-completed',
    customerId: 'replay-ada',
    customer: { consent: { sms: 'opted_in', push: 'opted_in' }, deviceToken: true },
    journey: welcomeSeries.id,
    state: 'completed: email, SMS, push, email',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, welcomeSeries, customerId, {
        trigger: replayEvent(customerId, 'user_signup'),
      });
      await handle.result();
      return handle;
    },
  }),
  oneRunScenario({
    name: 'welcome-series-deferred-by-cap',
    customerId: 'replay-grace',
    customer: { deviceToken: true },
    // One marketing email a day: the SMS fallback email at +2 h is deferred to the next day.
    caps: [{ channel: 'email', limit: 1, window: '1d' }],
    journey: welcomeSeries.id,
    state: 'waiting: fallback email deferred by a frequency cap',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, welcomeSeries, customerId, {
        trigger: replayEvent(customerId, 'user_signup'),
      });
      await restingAt(handle, 'wait_2h');
      await recording.sleep(2 * HOUR + MINUTE);
      await restingAt(handle, 'getting_started', (view) =>
        view.trace.some((d) => d.kind === 'send_deferred'),
      );
      return handle;
    },
  }),
  oneRunScenario({
    name: 'welcome-series-quiet-hours',
    // 02:00 in Berlin: the welcome email waits for the 08:00 send window.
    startAt: '2027-01-12T01:00:00Z',
    customerId: 'replay-hedy',
    customer: { timeZone: 'Europe/Berlin' },
    journey: welcomeSeries.id,
    state: 'waiting: welcome email held by quiet hours',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, welcomeSeries, customerId, {
        trigger: replayEvent(customerId, 'user_signup'),
        defaultSendWindow: { start: '08:00', end: '21:00' },
      });
      await restingAt(handle, 'welcome_email', (view) =>
        view.trace.some((d) => d.kind === 'quiet_hours'),
      );
      return handle;
    },
  }),
  oneRunScenario({
    name: 'abandoned-cart-completed',
    customerId: 'replay-joan',
    customer: { consent: { sms: 'opted_in', push: 'opted_in' }, deviceToken: true },
    journey: abandonedCart.id,
    state: 'completed: email, SMS, push, discount email',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, abandonedCart, customerId, {
        key: 'cart-r1',
        trigger: cartAbandoned(customerId),
      });
      await handle.result();
      return handle;
    },
  }),
  oneRunScenario({
    name: 'abandoned-cart-exited-on-purchase',
    customerId: 'replay-alan',
    customer: { consent: { sms: 'opted_in' } },
    journey: abandonedCart.id,
    state: 'exited on a purchase event mid-wait, after the first email',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, abandonedCart, customerId, {
        key: 'cart-r1',
        trigger: cartAbandoned(customerId),
      });
      await restingAt(handle, 'wait_1h');
      await recording.sleep(90 * MINUTE);
      await restingAt(handle, 'wait_6h');
      await handle.signal(eventSignal, replayEvent(customerId, 'purchase', { cart_id: 'cart-r1' }));
      await handle.result();
      return handle;
    },
  }),
  oneRunScenario({
    name: 're-engagement-timed-out',
    customerId: 'replay-ken',
    customer: { consent: { sms: 'opted_in' } },
    journey: reEngagement.id,
    state: 'completed after both waitForEvent timeouts: email, SMS, survey',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, reEngagement, customerId, {
        trigger: replayEvent(customerId, 'customer_inactive'),
      });
      await handle.result();
      return handle;
    },
  }),
  oneRunScenario({
    name: 'onboarding-profile-completed',
    customerId: 'replay-lin',
    customer: { consent: { push: 'opted_in' }, deviceToken: true },
    journey: onboarding.id,
    state: 'completed on the awaited event, with a profile update',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, onboarding, customerId, {
        trigger: replayEvent(customerId, 'onboarding_started'),
      });
      await restingAt(handle, 'welcome_email');
      await recording.sleep(HOUR + MINUTE);
      await restingAt(handle, 'await_profile_completion');
      await handle.signal(eventSignal, replayEvent(customerId, 'profile_completion'));
      await handle.result();
      return handle;
    },
  }),
  oneRunScenario({
    name: 'onboarding-cancelled',
    customerId: 'replay-mae',
    journey: onboarding.id,
    state: 'cancelled by the cancel signal mid-step',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, onboarding, customerId, {
        trigger: replayEvent(customerId, 'onboarding_started'),
      });
      // Waiting for the push an hour after the welcome email.
      await restingAt(handle, 'welcome_email');
      await handle.signal(cancelSignal, { reason: 'replay recording' });
      await handle.result();
      return handle;
    },
  }),
];
