export { createActivities, type JourneyActivities } from './create-activities';
export type { HoldRequest } from './record-hold';
export type { ErasureRequest } from './erasure';
export type {
  ActivityConfig,
  ActivityDeps,
  ActivityFaults,
  RunFinishedRequest,
  RunRecordResult,
  RunStartedRequest,
  SendMessageRequest,
} from './types';
export type { ProfileSnapshot, SendOutcome } from '../journeys/run-types';
export { FailureType } from './failures';
export { OUTCOME_UNKNOWN } from '../deliveries/delivery-row';
export { deliveryIdFor } from '../deliveries/delivery-id';
