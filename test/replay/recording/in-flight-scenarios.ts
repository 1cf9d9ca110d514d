import { journey } from '../../../src/journeys/builders';
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

/** Transactional sends around a wait: nothing reads the profile, so the run never loads it. */
const orderReceipts = journey('order-receipts')
  .name('Order receipts')
  .trigger('order_placed')
  .steps((s) => [
    s.send('confirmation', {
      kind: 'transactional',
      content: { subject: 'Order {{trigger.order_id}}', html: '<p>Thanks for your order.</p>' },
    }),
    s.wait('until_shipped', { for: '1d' }),
    s.send('shipped', {
      kind: 'transactional',
      content: { subject: 'Shipped', html: '<p>Order {{trigger.order_id}} is on its way.</p>' },
    }),
  ])
  .build();

/**
 * Built-in journeys caught in the middle: the histories a deploy meets most, since most runs are
 * waiting at any moment.
 */
export const inFlightScenarios: Scenario[] = [
  oneRunScenario({
    name: 'order-receipts-waiting',
    customerId: 'replay-ola',
    journey: orderReceipts.id,
    state: 'waiting a day after the confirmation, never having loaded the profile',
    async drive(recording, customerId) {
      const handle = await startJourney(recording, orderReceipts, customerId, {
        trigger: replayEvent(customerId, 'order_placed', { order_id: 'o-1' }),
      });
      await restingAt(handle, 'until_shipped');
      return handle;
    },
  }),
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
