// The baselines of the pipeline benchmarks, bundled by their own worker; deterministic (no I/O).
// bareWaitThenEmail: waits for a signal, then sends one email (the event-to-email latency's bare
// part); bareParked: sleeps an hour (the parked-runs bare part), cancelled by handle.cancel().
import { condition, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { BareActivities } from '../bare-workflow/activities';

const { sendEmail } = proxyActivities<BareActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
  },
});

export const shippedSignal = defineSignal('order_shipped');

export async function bareWaitThenEmail(to: string): Promise<void> {
  let shipped = false;
  setHandler(shippedSignal, () => {
    shipped = true;
  });
  await condition(() => shipped, '1 hour');
  if (shipped) await sendEmail({ to, subject: 'Shipped', html: '<p>Your order shipped</p>' });
}

export async function bareParked(): Promise<void> {
  await sleep('1 hour');
}
