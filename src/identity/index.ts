/**
 * Identity: identifiers (userId, anonymousId, email, phone, external ids per source) map to one
 * customer; merges move what belongs to a customer to the survivor, recorded and reversible.
 */
export type { Identifiers, IdentifierType, IdentifierKey } from './identifiers';
export { IDENTIFIER_TYPES } from './identifiers';
export {
  DEFAULT_MERGE_RULES,
  MergeRulesError,
  mergeRulesSchema,
  parseMergeRulesEnv,
  type MergeRules,
} from './merge-rules';
export { identifierKeys, isNeverMergeValue, normaliseValue } from './normalise';
export { limitBreach } from './limits';
export {
  resolveCustomer,
  type MergeOutcome,
  type Resolution,
  type ResolveOptions,
} from './resolve-customer';
export { survivorOf, currentCustomerId } from './survivors';
export { knownCustomers } from './known-customers';
export { anonymousCustomerId } from './owners';
export { mergeCustomers, unmergeCustomers, type MergeRequest } from './merge-customers';
export {
  ErasedCustomerError,
  MergeError,
  NoIdentifierError,
  type MergeRefusal,
} from './merge-errors';
export { identifiersOf, type IdentifierRow } from './identifier-rows';
export { collapseDuplicateRuns, MERGED_DUPLICATE } from '../routing/merged-runs';
export { mergesOf, findMerge, type MergeRow } from './merge-records';
