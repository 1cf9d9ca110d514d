import { workflowInfo } from '@temporalio/workflow';

/** The ledger key of one message of one step visit (the same on every attempt and worker). */
export function deliveryKeyOf(stepId: string, visit: number, messageKey: string): string {
  return `${deliveryKeyPrefix()}${stepId}/${visit}/${messageKey}`;
}

/** What every ledger key of this run starts with (continued-as-new runs keep it). */
export function deliveryKeyPrefix(): string {
  const info = workflowInfo();
  return `${info.workflowId}/${info.firstExecutionRunId}/`;
}
