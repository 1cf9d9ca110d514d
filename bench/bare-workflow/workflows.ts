// The bare parts of the benchmarks: plain Temporal workflows whose email activities (raw
// nodemailer, ./activities.ts) have the same options as Cairn's send step. Bundled by each
// benchmark's own worker; deterministic (no I/O here).
//   bareThreeEmails: three emails in sequence (bench/journeys.bench.ts);
//   bareWaitThenEmail: waits for a signal, then sends one email (the event-to-email latency);
//   bareParked: sleeps an hour (parked runs), cancelled by handle.cancel().
import { condition, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { BareActivities } from './activities';

const { sendEmail } = proxyActivities<BareActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
  },
});

export interface BareEmailsInput {
  to: string;
  subjects: string[];
}

export async function bareThreeEmails(input: BareEmailsInput): Promise<number> {
  let sent = 0;
  for (const [index, subject] of input.subjects.entries()) {
    await sendEmail({ to: input.to, subject, html: `<p>Message ${index + 1}</p>` });
    sent += 1;
  }
  return sent;
}

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
