// The baseline for bench/journeys.bench.ts: a bare Temporal workflow that sends three emails in
// sequence, one activity each, with the same activity options as Cairn's send step. Bundled by
// the benchmark's own worker; deterministic (no I/O here).
import { proxyActivities } from '@temporalio/workflow';
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
