import type { Client } from '@temporalio/client';
import { existingCustomerIds } from '../customers';
import type { Database } from '../db/database';
import {
  CUSTOMER_ERASURE_WORKFLOW_TYPE,
  erasureWorkflowId,
  type CustomerErasureInput,
} from '../workflows/erasure-names';
import { mergedInto } from '../identity/survivors';
import { openErasure } from './erase-customer-rows';
import type { IdentifierKey } from './identifier-hash';
import { standingTombstone, type TombstoneRow } from './tombstones';

export interface ErasureRequestDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  key: IdentifierKey;
  /** Deadline of the start call; past it the call fails and the caller may try again. */
  temporalTimeoutMs?: number;
}

export type ErasureRequestOutcome =
  | { kind: 'unknown_customer' }
  /** Erased before: nothing to start. */
  | { kind: 'already_erased'; tombstone: TombstoneRow }
  /**
   * Started, or joined the erasure already running for the customer; `merged`: the customers
   * merged into it, whose erasures were started with it.
   */
  | { kind: 'erasing'; tombstone: TombstoneRow; merged: string[] };

/**
 * DELETE /v1/customers/:id. The tombstone is written here, before the workflow starts, so from
 * the answer on nothing new is accepted for the customer; the erasure itself runs as a Temporal
 * workflow (src/workflows/erasure.ts) with an id derived from the customer's, so it finishes
 * whatever happens to this process and a second request joins the first (USE_EXISTING). Should
 * the start fail, the tombstone stands and a retried request starts it.
 *
 * The person is erased, not one of their ids: each customer merged into this one (an anonymous
 * visitor before sign-up, src/identity) keeps a row of its own and the runs it started, so each
 * gets its tombstone with this one's, before any erasure starts, and an erasure of its own.
 */
export async function requestErasure(
  deps: ErasureRequestDeps,
  customerId: string,
): Promise<ErasureRequestOutcome> {
  const standing = await standingTombstone(deps.db, customerId);
  if (standing?.status === 'erased') return { kind: 'already_erased', tombstone: standing };
  if (!standing && !(await existingCustomerIds(deps.db, [customerId])).has(customerId)) {
    return { kind: 'unknown_customer' };
  }
  const merged = await mergedInto(deps.db, customerId);
  const tombstone = await openErasure(deps.db, deps.key, customerId);
  for (const id of merged) await openErasure(deps.db, deps.key, id);
  for (const id of [customerId, ...merged]) await startErasure(deps, id);
  return { kind: 'erasing', tombstone, merged };
}

async function startErasure(deps: ErasureRequestDeps, customerId: string): Promise<void> {
  const input: CustomerErasureInput = { customerId };
  await deps.temporal.withDeadline(Date.now() + (deps.temporalTimeoutMs ?? 5_000), () =>
    deps.temporal.workflow.start(CUSTOMER_ERASURE_WORKFLOW_TYPE, {
      workflowId: erasureWorkflowId(customerId),
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `Erasure of customer ${customerId}`,
    }),
  );
}
