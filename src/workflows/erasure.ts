import { proxyActivities, sleep } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import type { CustomerErasureInput, CustomerErasureResult } from './erasure-names';

// Erasure must finish: every step retries until Postgres and Temporal take it (no attempt limit),
// and each step is idempotent. Closing runs and deleting histories wait on Temporal and
// heartbeat while they do.
const retryUntilDone = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
} as const;

// Erasing rows is one transaction, however many events the customer has.
const rows = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '10 minutes',
  retry: retryUntilDone,
});

const temporalSteps = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
  retry: retryUntilDone,
});

/** A run appeared while the last round closed the others: look again after this pause. */
const ROUND_PAUSE = '5 seconds';

/**
 * Erases one customer (right to be forgotten): the tombstone first, so nothing new is accepted
 * for them, then in rounds their runs closed, their runs' histories deleted and their rows
 * erased table by table in one transaction — which refuses while a run of theirs is running, so
 * a run that started meanwhile sends the workflow round again. Once the profile is gone no run
 * can start for them, and a last sweep closes and deletes what started in between.
 */
export async function customerErasureWorkflow(
  input: CustomerErasureInput,
): Promise<CustomerErasureResult> {
  const request = { customerId: input.customerId };
  await rows.openCustomerErasure(request);
  let historiesDeleted = 0;
  for (let round = 1; ; round += 1) {
    await temporalSteps.closeCustomerRuns(request);
    historiesDeleted += (await temporalSteps.deleteCustomerHistories(request)).deleted;
    const erased = await rows.eraseCustomerRows(request);
    if (erased.done) {
      await temporalSteps.closeCustomerRuns(request);
      historiesDeleted += (await temporalSteps.deleteCustomerHistories(request)).deleted;
      const result = { rounds: round, erasedRows: erased.erasedRows, historiesDeleted };
      await rows.finishCustomerErasure({ ...request, ...result });
      return { customerId: input.customerId, ...result };
    }
    await sleep(ROUND_PAUSE);
  }
}
