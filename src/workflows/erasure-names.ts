/**
 * The erasure workflow as its starters (the API) name it: its type, its id per customer and its
 * input and result. Ids and counts only: the workflow's history holds nothing personal.
 */
export const CUSTOMER_ERASURE_WORKFLOW_TYPE = 'customerErasureWorkflow';

/** One erasure per customer: a second request finds the first running and joins it. */
export function erasureWorkflowId(customerId: string): string {
  return `erasure:${customerId}`;
}

export interface CustomerErasureInput {
  customerId: string;
}

export interface CustomerErasureResult {
  customerId: string;
  /** Rounds of close runs → delete histories → erase rows (more than one if runs appeared). */
  rounds: number;
  erasedRows: Record<string, number>;
  historiesDeleted: number;
}
