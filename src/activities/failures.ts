import { ApplicationFailure } from '@temporalio/activity';

/** ApplicationFailure types the workflow (and operators) can tell apart. */
export const FailureType = {
  customerNotFound: 'CustomerNotFound',
  invalidRequest: 'InvalidActivityRequest',
  deliveryKeyConflict: 'DeliveryKeyConflict',
  deliveryInProgress: 'DeliveryInProgress',
  providerTransient: 'ProviderTransient',
} as const;

export function customerNotFound(customerId: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `customer ${customerId} not found`,
    FailureType.customerNotFound,
  );
}

export function invalidRequest(activity: string, problem: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `invalid ${activity} request: ${problem}`,
    FailureType.invalidRequest,
  );
}
