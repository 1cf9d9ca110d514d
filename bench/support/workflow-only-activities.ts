// The journey benchmark's `"sends":"bare"` variant: Cairn's own workflow, started as the router
// starts it, whose sends are the bare workflow's raw nodemailer activity and whose end is not
// written to the runs registry. No ledger, consent gate, caps or registry row: it measures what
// the workflow and its start cost on their own, so the rest of the gap to the bare workflow is
// what the send path's guarantees cost. A diagnostic, never a way to run Cairn.
import type { JourneyActivities } from '../../src/activities';
import type { SendOutcome } from '../../src/journeys/run-types';
import { createBareActivities } from '../bare-workflow/activities';

type SendRequest = Parameters<JourneyActivities['sendMessage']>[0];

export function workflowOnlyActivities(
  activities: JourneyActivities,
  smtpUrl: string,
  from: string,
): { activities: JourneyActivities; close: () => void } {
  const bare = createBareActivities(smtpUrl, from);
  const content = (request: SendRequest) => request.content as { subject: string; html: string };
  return {
    activities: {
      ...activities,
      sendMessage: async (request: SendRequest): Promise<SendOutcome> => {
        await bare.activities.sendEmail({
          to: `${request.customerId}@bench.test`,
          ...content(request),
        });
        return { status: 'sent', deliveryId: request.deliveryKey };
      },
      recordRunFinished: () => Promise.resolve({ updated: true }),
    },
    close: bare.close,
  };
}
