import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes that make every run findable in Temporal Web UI. Values are ids and
 * states only: never PII.
 */
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const JourneyIdKey = defineSearchAttributeKey('JourneyId', SearchAttributeType.KEYWORD);
export const JourneyVersionKey = defineSearchAttributeKey(
  'JourneyVersion',
  SearchAttributeType.INT,
);
export const JourneyStepKey = defineSearchAttributeKey('JourneyStep', SearchAttributeType.KEYWORD);
export const JourneyStatusKey = defineSearchAttributeKey(
  'JourneyStatus',
  SearchAttributeType.KEYWORD,
);

/** For `temporal server start-dev --search-attribute Name=Type` and operator registration. */
export const CAIRN_SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Int'> = {
  CustomerId: 'Keyword',
  JourneyId: 'Keyword',
  JourneyVersion: 'Int',
  JourneyStep: 'Keyword',
  JourneyStatus: 'Keyword',
};
