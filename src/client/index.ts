export { CairnClient, type CairnClientOptions } from './cairn-client';
export { CairnApiError, CairnValidationError } from './errors';
export type { ApiIssue, ErrorResponse } from './schemas/common';
export type { ConversionGroup, ConversionQuery, ConversionReport } from './schemas/conversions';
export type { Customer, CustomerUpsert, CustomerUpsertResponse } from './schemas/customers';
export type { Delivery, DeliveryList } from './schemas/deliveries';
export type { EventBatchResult, EventInput, EventResult } from './schemas/events';
export type {
  InboxList,
  InboxListQuery,
  InboxMessage,
  InboxStatus,
  InboxUnreadCount,
} from './schemas/inbox';
export type {
  JourneyCreated,
  JourneyDetail,
  JourneyList,
  JourneySummary,
  JourneyVersionView,
} from './schemas/journeys';
export type {
  CancelRunResult,
  RunDetail,
  RunList,
  RunRecord,
  StartRunRequest,
  StartRunResult,
} from './schemas/runs';
export type {
  Timeline,
  TimelineItem,
  TimelineItemKind,
  TimelineQuery,
  TimelineRun,
} from './schemas/timeline';
