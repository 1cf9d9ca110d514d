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
  replayEvent,
  restingAt,
  seedReplayCustomer,
  startJourney,
  type Scenario,
} from './recording';

/** The four built-in journeys, each in the end states their shapes reach. */
export const builtInScenarios: Scenario[] = [
  {
    name: 'welcome-series-completed',
    server: 'time-skipping',
    async run(recording) {
      const customerId = 'replay-ada';
      await seedReplayCustomer(recording.db, customerId, {
        consent: { sms: 'opted_in', push: 'opted_in' },
        deviceToken: true,
      });
      const worker = await recording.worker();
      const handle = await worker.runUntil(async () => {
        const handle = await startJourney(recording, welcomeSeries, customerId, {
          trigger: replayEvent(customerId, 'user_signup'),
        });
        await handle.result();
        return handle;
      });
      return [
        {
          file: 'welcome-series-completed.json',
          journey: welcomeSeries.id,
          state: 'completed: email, SMS, push, email',
          handle,
        },
      ];
    },
  },
  {
    name: 'welcome-series-deferred-by-cap',
    server: 'time-skipping',
    async run(recording) {
      const customerId = 'replay-grace';
      await seedReplayCustomer(recording.db, customerId, { deviceToken: true });
      // One marketing email a day: the SMS fallback email at +2 h is deferred to the next day.
      const worker = await recording.worker({
        caps: [{ channel: 'email', limit: 1, window: '1d' }],
      });
      const handle = await worker.runUntil(async () => {
        const handle = await startJourney(recording, welcomeSeries, customerId, {
          trigger: replayEvent(customerId, 'user_signup'),
        });
        await restingAt(handle, 'wait_2h');
        await recording.sleep(2 * HOUR + MINUTE);
        await restingAt(handle, 'getting_started', (view) =>
          view.trace.some((d) => d.kind === 'send_deferred'),
        );
        return handle;
      });
      return [
        {
          file: 'welcome-series-deferred-by-cap.json',
          journey: welcomeSeries.id,
          state: 'waiting: fallback email deferred by a frequency cap',
          handle,
        },
      ];
    },
  },
  {
    name: 'welcome-series-quiet-hours',
    server: 'time-skipping',
    // 02:00 in Berlin: the welcome email waits for the 08:00 send window.
    startAt: '2027-01-12T01:00:00Z',
    async run(recording) {
      const customerId = 'replay-hedy';
      await seedReplayCustomer(recording.db, customerId, { timeZone: 'Europe/Berlin' });
      const worker = await recording.worker();
      const handle = await worker.runUntil(async () => {
        const handle = await startJourney(recording, welcomeSeries, customerId, {
          trigger: replayEvent(customerId, 'user_signup'),
          defaultSendWindow: { start: '08:00', end: '21:00' },
        });
        await restingAt(handle, 'welcome_email', (view) =>
          view.trace.some((d) => d.kind === 'quiet_hours'),
        );
        return handle;
      });
      return [
        {
          file: 'welcome-series-quiet-hours.json',
          journey: welcomeSeries.id,
          state: 'waiting: welcome email held by quiet hours',
          handle,
        },
      ];
    },
  },
  {
    name: 'abandoned-cart-completed',
    server: 'time-skipping',
    async run(recording) {
      const customerId = 'replay-joan';
      await seedReplayCustomer(recording.db, customerId, {
        consent: { sms: 'opted_in', push: 'opted_in' },
        deviceToken: true,
      });
      const worker = await recording.worker();
      const handle = await worker.runUntil(async () => {
        const handle = await startJourney(recording, abandonedCart, customerId, {
          key: 'cart-r1',
          trigger: cartAbandoned(customerId),
        });
        await handle.result();
        return handle;
      });
      return [
        {
          file: 'abandoned-cart-completed.json',
          journey: abandonedCart.id,
          state: 'completed: email, SMS, push, discount email',
          handle,
        },
      ];
    },
  },
  {
    name: 'abandoned-cart-exited-on-purchase',
    server: 'time-skipping',
    async run(recording) {
      const customerId = 'replay-alan';
      await seedReplayCustomer(recording.db, customerId, { consent: { sms: 'opted_in' } });
      const worker = await recording.worker();
      const handle = await worker.runUntil(async () => {
        const handle = await startJourney(recording, abandonedCart, customerId, {
          key: 'cart-r1',
          trigger: cartAbandoned(customerId),
        });
        await restingAt(handle, 'wait_1h');
        await recording.sleep(90 * MINUTE);
        await restingAt(handle, 'wait_6h');
        await handle.signal(
          eventSignal,
          replayEvent(customerId, 'purchase', { cart_id: 'cart-r1' }),
        );
        await handle.result();
        return handle;
      });
      return [
        {
          file: 'abandoned-cart-exited-on-purchase.json',
          journey: abandonedCart.id,
          state: 'exited on a purchase event mid-wait, after the first email',
          handle,
        },
      ];
    },
  },
  {
    name: 're-engagement-timed-out',
    server: 'time-skipping',
    async run(recording) {
      const customerId = 'replay-ken';
      await seedReplayCustomer(recording.db, customerId, { consent: { sms: 'opted_in' } });
      const worker = await recording.worker();
      const handle = await worker.runUntil(async () => {
        const handle = await startJourney(recording, reEngagement, customerId, {
          trigger: replayEvent(customerId, 'customer_inactive'),
        });
        await handle.result();
        return handle;
      });
      return [
        {
          file: 're-engagement-timed-out.json',
          journey: reEngagement.id,
          state: 'completed after both waitForEvent timeouts: email, SMS, survey',
          handle,
        },
      ];
    },
  },
  {
    name: 'onboarding-profile-completed',
    server: 'time-skipping',
    async run(recording) {
      const customerId = 'replay-lin';
      await seedReplayCustomer(recording.db, customerId, {
        consent: { push: 'opted_in' },
        deviceToken: true,
      });
      const worker = await recording.worker();
      const handle = await worker.runUntil(async () => {
        const handle = await startJourney(recording, onboarding, customerId, {
          trigger: replayEvent(customerId, 'onboarding_started'),
        });
        await restingAt(handle, 'welcome_email');
        await recording.sleep(HOUR + MINUTE);
        await restingAt(handle, 'await_profile_completion');
        await handle.signal(eventSignal, replayEvent(customerId, 'profile_completion'));
        await handle.result();
        return handle;
      });
      return [
        {
          file: 'onboarding-profile-completed.json',
          journey: onboarding.id,
          state: 'completed on the awaited event, with a profile update',
          handle,
        },
      ];
    },
  },
  {
    name: 'onboarding-cancelled',
    server: 'time-skipping',
    async run(recording) {
      const customerId = 'replay-mae';
      await seedReplayCustomer(recording.db, customerId);
      const worker = await recording.worker();
      const handle = await worker.runUntil(async () => {
        const handle = await startJourney(recording, onboarding, customerId, {
          trigger: replayEvent(customerId, 'onboarding_started'),
        });
        // Waiting for the push an hour after the welcome email.
        await restingAt(handle, 'welcome_email');
        await handle.signal(cancelSignal, { reason: 'replay recording' });
        await handle.result();
        return handle;
      });
      return [
        {
          file: 'onboarding-cancelled.json',
          journey: onboarding.id,
          state: 'cancelled by the cancel signal mid-step',
          handle,
        },
      ];
    },
  },
];
