import type { Decision, JsonObject, RunStatus } from '../journeys/run-types';
import type { AttributionModel, DeliveryStatus } from '../db/schema';
import type { AudienceChangeFact } from './audience-changes';

/**
 * What the timeline is made of, as plain values (times in epoch ms): the loader fills these from
 * Postgres and Temporal, orderTimeline turns them into items without any I/O.
 */

export interface EventFact {
  id: string;
  type: string;
  occurredAt: number;
  receivedAt: number;
  source: string | null;
  deliveryId: string | null;
  flags: JsonObject | null;
}

export interface RunFact {
  /** The registry row: one workflow id can have several runs over time (keyed re-entry). */
  rowId: string;
  workflowId: string;
  runId: string | null;
  journeyId: string;
  version: number;
  key: string | null;
  status: RunStatus;
  finishReason: string | null;
  triggerEventId: string | null;
  startedAt: number;
  endedAt: number | null;
  /** The run's decisions, oldest first; null when neither Temporal nor the registry had them. */
  trace: Decision[] | null;
  /** The trace came from Temporal's state query just now rather than from the stored trace. */
  live: boolean;
}

export interface EngagementCounts {
  opens: number;
  clicks: number;
  /** Machine opens and bot clicks: recorded, not counted as engagement. */
  flagged: number;
}

export interface DeliveryFact {
  id: string;
  workflowId: string;
  journeyId: string;
  version: number;
  stepId: string;
  channel: string;
  messageKind: string;
  status: DeliveryStatus;
  reason: string | null;
  providerCode: string | null;
  attempts: number;
  createdAt: number;
  sentAt: number | null;
  engagement: EngagementCounts;
}

export interface ConversionFact {
  id: string;
  eventId: string;
  model: AttributionModel;
  deliveryId: string;
  journeyId: string;
  stepId: string;
  channel: string;
  weight: number;
  revenue: number;
  currency: string | null;
  occurredAt: number;
}

/** A score contribution (score_contributions): the event a score counted and its points. */
export interface ScoreChangeFact {
  scoreId: string;
  eventId: string;
  eventType: string;
  points: number;
  occurredAt: number;
}

export interface TimelineFacts {
  events: EventFact[];
  runs: RunFact[];
  deliveries: DeliveryFact[];
  conversions: ConversionFact[];
  scoreChanges?: ScoreChangeFact[];
  /** Segment entries and exits and stage moves: shown read, in place of their bare events. */
  audience?: AudienceChangeFact[];
}

export interface TimelineWindow {
  /** Inclusive, epoch ms. */
  since: number | null;
  /** Exclusive, epoch ms. */
  until: number | null;
  limit: number;
}
