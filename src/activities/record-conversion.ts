import type { Database } from '../db/database';
import {
  attributeConversion,
  type AttributionModel,
  DEFAULT_HALF_LIFE_MS,
} from '../conversions/attribution';
import { readRevenue, RevenueError } from '../conversions/revenue';
import { loadRunMessages } from '../conversions/run-messages';
import { storeConversion, type StoredCredit } from '../conversions/store-conversion';
import type { JourneyEvent } from '../journeys/run-types';
import { invalidRequest } from './failures';

const ACTIVITY = 'recordConversion';
/** A longer window would credit messages nobody remembers; a year is generous. */
const MAX_WINDOW_MS = 366 * 86_400_000;

export interface RecordConversionRequest {
  customerId: string;
  journeyId: string;
  journeyVersion: number;
  workflowId: string;
  /** The goal event; its occurredAt is the conversion time (no clock is read). */
  event: JourneyEvent;
  /** Messages sent (or clicked) this long before the goal are credited. */
  windowMs: number;
  /** Where the revenue is: "event.properties.<path>" or "properties.<path>"; default revenue. */
  revenuePath?: string;
}

export type ConversionCredit = StoredCredit;

export interface RecordConversionResult {
  eventId: string;
  /**
   * recorded: rows written now; already_recorded: this goal event was credited to the run's
   * messages before (a retry or a repeated event id), nothing written, the stored credits are
   * returned; no_touches: no message of the run was sent in the window, nothing stored.
   */
  status: 'recorded' | 'already_recorded' | 'no_touches';
  /** Distinct messages credited. */
  touches: number;
  revenue: number;
  currency: string | null;
  /** Per model, largest share first; the weights of one model add up to 1. */
  models: Record<AttributionModel, ConversionCredit[]>;
}

/** Credits a goal event to the run's messages under every attribution model (see attribution.ts). */
export function createRecordConversion(db: Database) {
  return async function recordConversion(
    request: RecordConversionRequest,
  ): Promise<RecordConversionResult> {
    const conversionAt = validate(request);
    const { revenue, currency } = revenueOf(request);
    const messages = await loadRunMessages(db, {
      customerId: request.customerId,
      journeyId: request.journeyId,
      workflowId: request.workflowId,
      from: conversionAt - request.windowMs,
      to: conversionAt,
    });
    const attribution = attributeConversion(messages, {
      conversionAt,
      windowMs: request.windowMs,
      revenue,
      halfLifeMs: DEFAULT_HALF_LIFE_MS,
    });
    const stored = await storeConversion(
      db,
      {
        eventId: request.event.id,
        customerId: request.customerId,
        workflowId: request.workflowId,
        occurredAt: new Date(conversionAt),
        currency,
      },
      attribution,
      messages,
    );
    return {
      eventId: request.event.id,
      status: statusOf(stored.created, stored.touches),
      touches: stored.touches,
      revenue,
      currency,
      models: stored.models,
    };
  };
}

function statusOf(created: boolean, touches: number): RecordConversionResult['status'] {
  if (!created) return 'already_recorded';
  return touches > 0 ? 'recorded' : 'no_touches';
}

function revenueOf(request: RecordConversionRequest) {
  try {
    return readRevenue(request.event.properties, request.revenuePath);
  } catch (error) {
    if (error instanceof RevenueError) throw invalidRequest(ACTIVITY, error.message);
    throw error;
  }
}

/** Returns the conversion time (epoch ms). */
function validate(request: RecordConversionRequest): number {
  for (const field of ['customerId', 'journeyId', 'workflowId'] as const) {
    requireText(field, request[field]);
  }
  if (!Number.isInteger(request.journeyVersion) || request.journeyVersion < 1) {
    throw invalidRequest(ACTIVITY, 'journeyVersion must be a positive integer');
  }
  if (
    !Number.isInteger(request.windowMs) ||
    request.windowMs < 1 ||
    request.windowMs > MAX_WINDOW_MS
  ) {
    throw invalidRequest(ACTIVITY, `windowMs must be an integer from 1 to ${MAX_WINDOW_MS}`);
  }
  const event = request.event as Partial<JourneyEvent> | undefined;
  if (!event || typeof event !== 'object') throw invalidRequest(ACTIVITY, 'event is required');
  requireText('event.id', event.id);
  if (event.customerId !== request.customerId) {
    throw invalidRequest(ACTIVITY, "event.customerId must be the run's customerId");
  }
  if (!event.properties || typeof event.properties !== 'object') {
    throw invalidRequest(ACTIVITY, 'event.properties must be an object');
  }
  const at = typeof event.occurredAt === 'string' ? Date.parse(event.occurredAt) : NaN;
  if (!Number.isFinite(at)) {
    throw invalidRequest(ACTIVITY, 'event.occurredAt must be an ISO-8601 timestamp');
  }
  return at;
}

function requireText(field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 500) {
    throw invalidRequest(ACTIVITY, `${field} must be a non-empty string of at most 500 characters`);
  }
}
