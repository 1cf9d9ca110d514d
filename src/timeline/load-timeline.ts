import { and, asc, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { personIdsSql } from '../customers/redirect-sql';
import type { Timeline } from '../contract/timeline';
import type { Database } from '../db/database';
import {
  conversions,
  customers,
  deliveries,
  events,
  journeyRuns,
  scoreContributions,
} from '../db/schema';
import { loadAudienceChanges } from './audience-changes';
import { engagementCounts, NO_ENGAGEMENT } from './engagement-counts';
import { orderTimeline } from './order-timeline';
import { runTraces, type LiveTraceOptions } from './run-traces';
import type {
  ConversionFact,
  DeliveryFact,
  EventFact,
  RunFact,
  ScoreChangeFact,
  TimelineFacts,
} from './timeline-facts';

export interface TimelineSource {
  db: Database;
  /** Running runs' decisions come from Temporal's state query; null: stored traces only. */
  live: LiveTraceOptions | null;
}

export interface TimelineRequest {
  since: Date | null;
  until: Date | null;
  limit: number;
}

/** Ledger rows of the loaded runs (and in the window) beyond which the timeline stops reading. */
const MAX_DELIVERIES = 2_000;

/**
 * A customer's timeline: events, runs with their decisions, deliveries with their engagement, and
 * conversions, merged by orderTimeline. Null when there is no such customer.
 */
export async function loadCustomerTimeline(
  source: TimelineSource,
  customerId: string,
  request: TimelineRequest,
): Promise<Timeline | null> {
  const { db } = source;
  const known = await db
    .select({ id: customers.id })
    .from(customers)
    .where(eq(customers.id, customerId));
  if (known.length === 0) return null;

  // Events and conversions are placed by their own time, so the first limit + 1 of each in the
  // window are all that can make the page; runs and deliveries are read more widely.
  const take = request.limit + 1;
  const [eventFacts, runFacts, conversionFacts, scoreChanges, audienceFacts] = await Promise.all([
    loadEvents(db, customerId, request, take),
    loadRuns(source, customerId, request, take),
    loadConversions(db, customerId, request, take),
    loadScoreChanges(db, customerId, request, take),
    loadAudienceChanges(db, customerId, request, take),
  ]);
  const deliveryFacts = await loadDeliveries(db, customerId, request, runFacts);
  const facts: TimelineFacts = {
    events: eventFacts,
    runs: runFacts,
    deliveries: deliveryFacts,
    conversions: conversionFacts,
    scoreChanges,
    audience: audienceFacts,
  };
  const { items, hasMore } = orderTimeline(facts, {
    since: request.since?.getTime() ?? null,
    until: request.until?.getTime() ?? null,
    limit: request.limit,
  });
  return { customerId, items, hasMore, runs: runFacts.map(runSummary) };
}

function timeWindow(column: Parameters<typeof gte>[0], request: TimelineRequest): SQL[] {
  const conditions: SQL[] = [];
  if (request.since) conditions.push(gte(column, request.since));
  if (request.until) conditions.push(lt(column, request.until));
  return conditions;
}

async function loadEvents(
  db: Database,
  customerId: string,
  request: TimelineRequest,
  take: number,
): Promise<EventFact[]> {
  const rows = await db
    .select({
      id: events.id,
      type: events.type,
      occurredAt: events.occurredAt,
      receivedAt: events.receivedAt,
      source: events.source,
      deliveryId: events.deliveryId,
      flags: events.flags,
    })
    .from(events)
    .where(and(eq(events.customerId, customerId), ...timeWindow(events.occurredAt, request)))
    .orderBy(asc(events.occurredAt), asc(events.receivedAt), asc(events.id))
    .limit(take);
  return rows.map((row) => ({
    ...row,
    occurredAt: row.occurredAt.getTime(),
    receivedAt: row.receivedAt.getTime(),
  }));
}

/** Runs that were running at some point of the window. */
async function loadRuns(
  source: TimelineSource,
  customerId: string,
  request: TimelineRequest,
  take: number,
): Promise<RunFact[]> {
  const conditions: SQL[] = [eq(journeyRuns.customerId, customerId)];
  if (request.until) conditions.push(lt(journeyRuns.startedAt, request.until));
  if (request.since) {
    conditions.push(or(isNull(journeyRuns.endedAt), gte(journeyRuns.endedAt, request.since))!);
  }
  const rows = await source.db
    .select()
    .from(journeyRuns)
    .where(and(...conditions))
    .orderBy(asc(journeyRuns.startedAt), asc(journeyRuns.id))
    .limit(take);
  const traces = await runTraces(rows, source.live);
  return rows.map((row, index) => ({
    rowId: row.id,
    workflowId: row.workflowId,
    runId: row.temporalRunId,
    journeyId: row.journeyId,
    version: row.journeyVersion,
    key: row.runKey,
    status: row.status,
    finishReason: row.finishReason,
    triggerEventId: row.triggerEventId,
    startedAt: row.startedAt.getTime(),
    endedAt: row.endedAt?.getTime() ?? null,
    trace: traces[index]!.trace,
    live: traces[index]!.live,
  }));
}

/** The deliveries of the loaded runs and any made in the window. Never the recipient or subject. */
async function loadDeliveries(
  db: Database,
  customerId: string,
  request: TimelineRequest,
  runs: RunFact[],
): Promise<DeliveryFact[]> {
  const workflowIds = [...new Set(runs.map((run) => run.workflowId))];
  const window = timeWindow(deliveries.createdAt, request);
  const ofRuns = workflowIds.length > 0 ? inArray(deliveries.workflowId, workflowIds) : undefined;
  const scope = window.length === 0 ? undefined : or(ofRuns, and(...window));
  const rows = await db
    .select({
      id: deliveries.id,
      workflowId: deliveries.workflowId,
      journeyId: deliveries.journeyId,
      version: deliveries.journeyVersion,
      stepId: deliveries.stepId,
      channel: deliveries.channel,
      messageKind: deliveries.messageKind,
      status: deliveries.status,
      reason: deliveries.reason,
      providerCode: deliveries.providerCode,
      attempts: deliveries.attempts,
      createdAt: deliveries.createdAt,
      sentAt: deliveries.sentAt,
    })
    .from(deliveries)
    // A merged-away customer's runs, now the survivor's, record under their old id.
    .where(
      and(sql`${deliveries.customerId} = any(${personIdsSql(sql`${customerId}::text`)})`, scope),
    )
    .orderBy(asc(deliveries.createdAt), asc(deliveries.id))
    .limit(MAX_DELIVERIES);
  const counts = await engagementCounts(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => ({
    ...row,
    createdAt: row.createdAt.getTime(),
    sentAt: row.sentAt?.getTime() ?? null,
    engagement: counts.get(row.id) ?? NO_ENGAGEMENT,
  }));
}

async function loadConversions(
  db: Database,
  customerId: string,
  request: TimelineRequest,
  take: number,
): Promise<ConversionFact[]> {
  const rows = await db
    .select()
    .from(conversions)
    .where(
      and(eq(conversions.customerId, customerId), ...timeWindow(conversions.occurredAt, request)),
    )
    .orderBy(asc(conversions.occurredAt), asc(conversions.eventId), asc(conversions.id))
    .limit(take);
  return rows.map((row) => ({
    id: row.id,
    eventId: row.eventId,
    model: row.model,
    deliveryId: row.deliveryId,
    journeyId: row.journeyId,
    stepId: row.stepId,
    channel: row.channel,
    weight: row.weight,
    revenue: row.revenue,
    currency: row.currency,
    occurredAt: row.occurredAt.getTime(),
  }));
}

/** What each event added to a score, placed at the event's time. */
async function loadScoreChanges(
  db: Database,
  customerId: string,
  request: TimelineRequest,
  take: number,
): Promise<ScoreChangeFact[]> {
  const c = scoreContributions;
  const rows = await db
    .select({
      scoreId: c.scoreId,
      eventId: c.eventId,
      eventType: c.eventType,
      points: c.points,
      occurredAt: c.occurredAt,
    })
    .from(c)
    .where(and(eq(c.customerId, customerId), ...timeWindow(c.occurredAt, request)))
    .orderBy(asc(c.occurredAt), asc(c.eventId), asc(c.scoreId))
    .limit(take);
  return rows.map((row) => ({ ...row, occurredAt: row.occurredAt.getTime() }));
}

function runSummary(run: RunFact): Timeline['runs'][number] {
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    journeyId: run.journeyId,
    version: run.version,
    status: run.status,
    live: run.live,
    traceAvailable: run.trace !== null,
  };
}
