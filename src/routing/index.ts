export {
  startEventRouter,
  routePendingEvents,
  type EventRouter,
  type EventRouterOptions,
} from './event-router';
export { createOutboxSignal, type OutboxSignal } from './outbox-signal';
export { ROUTING_LEASE_MS } from './routing-lease';
export type { BreakerState } from './circuit-breaker';
export type { RoutingSummary } from './route-event';
export { startJourneyRun, type StartOutcome, type StartRequest } from './start-run';
export {
  startExplicitRun,
  type ExplicitStart,
  type ExplicitStartOutcome,
  type StartRefusal,
} from './explicit-start';
export {
  recordEvents,
  CustomerErasedError,
  ForeignDeliveryError,
  UnknownCustomerError,
  type IncomingEvent,
  type RecordedEvent,
  type RecordOptions,
} from './record-events';
export { awaitEventRouting, readEventRoutingState, type EventRoutingState } from './event-state';
export type {
  AudienceEvent,
  AudienceUpkeep,
  OutboxDeps,
  RoutingDeps,
  RoutingLogger,
} from './types';
