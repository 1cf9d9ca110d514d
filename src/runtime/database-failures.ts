import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { describeFailure, isDatabaseFailure } from '../db/safe-error';

/** The failure type an activity's database error reaches Temporal with. */
export const DATABASE_FAILURE_TYPE = 'DatabaseError';

/**
 * A database error leaving an activity becomes a retryable failure that names the SQLSTATE and
 * the driver's description, never the statement or its parameters: drizzle's query errors carry
 * every parameter (emails, phones, event properties) in their message, and an activity's
 * failure is logged by the worker and stored in the run's history. Other errors pass unchanged.
 */
export const databaseFailureInterceptor: ActivityInterceptorsFactory = () => ({
  inbound: {
    execute: async (input, next) => {
      try {
        return await next(input);
      } catch (error) {
        if (!isDatabaseFailure(error)) throw error;
        throw ApplicationFailure.retryable(describeFailure(error), DATABASE_FAILURE_TYPE);
      }
    },
  },
});
