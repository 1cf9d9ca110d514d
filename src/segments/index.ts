/** The segment language: schema, builders and the pure evaluator. Imports only src/journeys. */
export * from './schema';
export * from './builders';
export { evaluateSegment, aggregateOf, type EvaluateOptions } from './evaluate';
export type {
  AddressFact,
  ConsentChoice,
  ConsentFacts,
  CustomerFacts,
  FactEvent,
  TopicFact,
} from './customer-facts';
export type { ConditionBody } from './condition-body';
export { consentAllowsChannel, topicSubscribed, type ConsentChannel } from './channel-rules';
export { ENGAGEMENT_TYPES, engagementTypesFor } from './engagement-types';
export { nextChangeAfter } from './next-change';
