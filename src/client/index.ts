export { CairnClient, type CairnClientOptions } from './cairn-client';
export { CairnApiError, CairnValidationError } from './errors';
export type { ApiIssue, ErrorResponse } from '../contract/common';
export type { ConversionGroup, ConversionQuery, ConversionReport } from '../contract/conversions';
export type { Customer, CustomerUpsert, CustomerUpsertResponse } from '../contract/customers';
export type { Delivery, DeliveryList } from '../contract/deliveries';
export type {
  EventBatchResult,
  EventInput,
  EventResult,
  EventState,
  EventStateQuery,
} from '../contract/events';
export type {
  InboxList,
  InboxListQuery,
  InboxMessage,
  InboxStatus,
  InboxUnreadCount,
} from '../contract/inbox';
export type {
  JourneyCreated,
  JourneyDetail,
  JourneyList,
  JourneySummary,
  JourneyVersionView,
} from '../contract/journeys';
export type { PreviewRequest, PreviewResult } from '../contract/preview';
export type {
  ScoreDefinitionInput,
  ScoreDetail,
  ScoreList,
  ScorePublished,
  ScoreRecompute,
  ScoreSummary,
} from '../contract/scores';
export type {
  CustomerExport,
  Erasure,
  ErasureRequestResponse,
  ErasureResponse,
} from '../contract/privacy';
export type {
  CancelRunResult,
  RunDetail,
  RunList,
  RunRecord,
  StartRunRequest,
  StartRunResult,
} from '../contract/runs';
export type {
  Timeline,
  TimelineItem,
  TimelineItemKind,
  TimelineQuery,
  TimelineRun,
} from '../contract/timeline';
