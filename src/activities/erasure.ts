import { ApplicationFailure, Context } from '@temporalio/activity';
import { closeCustomerRuns, type ClosedRuns } from '../privacy/close-runs';
import { deleteCustomerHistories } from '../privacy/delete-histories';
import { eraseCustomerRows, openErasure, type RowErasure } from '../privacy/erase-customer-rows';
import { markErased, type ErasureTotals } from '../privacy/tombstones';
import { FailureType, invalidRequest } from './failures';
import type { ActivityDeps } from './types';

export interface ErasureRequest {
  customerId: string;
}

const DEFAULT_GRACE_MS = 30_000;

/**
 * The erasure workflow's steps (src/workflows/erasure.ts), each idempotent, so a retry after a
 * crash repeats it harmlessly. Their inputs and results are ids and counts, never personal data:
 * they stay in the erasure's own history.
 */
export function createErasureActivities(deps: ActivityDeps) {
  const temporal = () => {
    if (!deps.erasure) {
      throw ApplicationFailure.nonRetryable(
        'this worker has no Temporal client for erasures (ActivityDeps.erasure)',
        FailureType.invalidRequest,
      );
    }
    return deps.erasure.temporal;
  };
  return {
    /** The tombstone and the hashed identifiers, before anything is erased. */
    openCustomerErasure: async (request: ErasureRequest): Promise<{ status: string }> => {
      const tombstone = await openErasure(deps.db, deps.identifierKey, customerIdOf(request));
      return { status: tombstone.status };
    },

    /** Every running run of the customer cancelled, or terminated after the grace period. */
    closeCustomerRuns: (request: ErasureRequest): Promise<ClosedRuns> =>
      closeCustomerRuns(
        {
          db: deps.db,
          temporal: temporal(),
          defaultTimeZone: deps.config.defaultTimeZone,
          graceMs: deps.erasure?.graceMs ?? DEFAULT_GRACE_MS,
          heartbeat,
        },
        customerIdOf(request),
      ),

    /** Every execution's history deleted, waited for until Temporal no longer has it. */
    deleteCustomerHistories: async (request: ErasureRequest): Promise<{ deleted: number }> => ({
      deleted: await deleteCustomerHistories(
        { db: deps.db, temporal: temporal(), heartbeat },
        customerIdOf(request),
      ),
    }),

    /** Every table, through its owner, in one transaction; refused while a run is running. */
    eraseCustomerRows: (request: ErasureRequest): Promise<RowErasure> =>
      eraseCustomerRows(deps.db, deps.identifierKey, customerIdOf(request)),

    finishCustomerErasure: (request: ErasureRequest & ErasureTotals): Promise<void> =>
      markErased(deps.db, customerIdOf(request), {
        rounds: request.rounds,
        erasedRows: request.erasedRows,
        historiesDeleted: request.historiesDeleted,
      }),
  };
}

function customerIdOf(request: ErasureRequest): string {
  const id = request?.customerId;
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) {
    throw invalidRequest(
      'erasure',
      'customerId must be a non-empty string of at most 200 characters',
    );
  }
  return id;
}

function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Called outside an activity (a direct call in a test): nobody to tell.
  }
}
