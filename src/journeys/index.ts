/** The journey language and its pure interpreter. Imports nothing of ours; safe in workflows. */
export * from './schema';
export * from './run-types';
export { parseDuration, formatDuration, describeDuration } from './durations';
export { resolveField, type FieldScope, type Resolved } from './field-paths';
export {
  evaluateCondition,
  evaluateConditionGroup,
  sameValue,
  asTimestamp,
  type ConditionsResult,
} from './conditions';
export {
  nextLocalTime,
  instantOfWallTime,
  isValidTimeZone,
  localDateTime,
  zoneOffset,
  formatLocal,
} from './local-time';
export { startRun, advance } from './interpreter';
export { matchTarget } from './event-match';
export { MAX_STEPS_PER_DECISION, MIN_SENDS_WITHOUT_WAIT } from './loop-guard';
export { MAX_SEEN_EVENT_IDS } from './journey-events';
export { MAX_TRACE } from './trace';
export { eventTypesListenedTo, journeyEventTypes } from './listens';
export {
  journeyWorkflowId,
  parseJourneyWorkflowId,
  runKeyFromTrigger,
  MissingRunKeyError,
} from './workflow-id';
export {
  validateJourneyDefinition,
  parseJourneyDefinition,
  JourneyValidationError,
  type DefinitionIssue,
} from './validate';
export {
  journey,
  field,
  where,
  whereAny,
  steps,
  JourneyBuilder,
  type BuilderStep,
  type GoalOptions,
  type MatchOption,
  type RuleOptions,
} from './builders';
export {
  simulate,
  type SimulateOptions,
  type SimulationResult,
  type SimulatedEvent,
  type TimelineEntry,
} from './preview';
export { builtInJourneys, welcomeSeries, abandonedCart, reEngagement, onboarding } from './library';
