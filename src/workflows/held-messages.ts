import { workflowInfo } from '@temporalio/workflow';
import type { HoldRequest } from '../activities';
import type { HeldMessage, RunInput, RunState } from '../journeys/run-types';
import { dataActivities, dataCall } from './data-activities';
import { deliveryKeyOf } from './delivery-key';

/** Puts a message quiet hours hold back on the ledger, once per message, before the wait. */
export async function recordHold(
  input: RunInput,
  state: RunState,
  hold: HeldMessage,
  until: number,
  held: Set<string>,
): Promise<void> {
  const info = workflowInfo();
  const deliveryKey = deliveryKeyOf(hold.stepId, hold.visit, hold.messageKey);
  if (held.has(deliveryKey)) return;
  const request: HoldRequest = {
    deliveryKey,
    customerId: input.customerId,
    journeyId: state.journeyId,
    journeyVersion: state.journeyVersion,
    workflowId: info.workflowId,
    stepId: hold.stepId,
    channel: hold.channel,
    messageKind: hold.messageKind,
    reason: hold.reason,
    until: new Date(until).toISOString(),
  };
  await dataActivities(true).recordHeldDelivery.executeWithOptions(
    dataCall(true, `record held ${hold.channel}: ${hold.stepId}`),
    [request],
  );
  held.add(deliveryKey);
}
