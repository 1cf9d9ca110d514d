import { workflowInfo } from '@temporalio/workflow';

/** The ledger key of one message of one step visit (the same on every attempt and worker). */
export function deliveryKeyOf(stepId: string, visit: number, messageKey: string): string {
  const info = workflowInfo();
  return `${info.workflowId}/${info.firstExecutionRunId}/${stepId}/${visit}/${messageKey}`;
}
