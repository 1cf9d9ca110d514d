import type { TimelineItem } from '../contract/timeline';
import type { Decision } from '../journeys/run-types';
import { audienceChangeItem } from './audience-changes';
import type {
  ConversionFact,
  DeliveryFact,
  EventFact,
  RunFact,
  ScoreChangeFact,
  TimelineFacts,
  TimelineWindow,
} from './timeline-facts';

/**
 * Merges a customer's facts into one ordered list. Pure: no clock, no I/O.
 *
 * Order: by time, then at equal times events first (a cause precedes what it caused), then the
 * items of runs, then deliveries no run trace accounts for, then conversions. Items of one run
 * keep the order of its decision trace, and its registry rows are placed by the run's own clock:
 * `run_entered` just before its `entered` decision, `run_exited` just after `finished`, and each
 * delivery just after the last `send_result` decision naming it. The API's clock (registry
 * times), the worker's clock (decisions) and Postgres' clock (ledger rows) can disagree, and on a
 * time-skipping test server they disagree by days; anchoring keeps "decided, then sent" in order.
 * Runs at equal times go by start, then workflow id; anything left tied goes by id.
 */
export function orderTimeline(
  facts: TimelineFacts,
  window: TimelineWindow,
): { items: TimelineItem[]; hasMore: boolean } {
  const runs = [...facts.runs].sort(compareRuns);
  const anchors = sendAnchors(runs);
  const placed = [
    ...placeAudienceChanges(facts),
    ...runs.flatMap((run, lane) => placeRun(run, lane)),
    ...facts.deliveries.map((delivery) => placeDelivery(delivery, anchors.get(delivery.id))),
    ...facts.conversions.map(placeConversion),
    ...(facts.scoreChanges ?? []).map(placeScoreChange),
  ]
    .filter((p) => inWindow(p.key.time, window))
    .sort((a, b) => compareKeys(a.key, b.key));
  return {
    items: placed.slice(0, window.limit).map((p) => p.item),
    hasMore: placed.length > window.limit,
  };
}

/**
 * Events, then run items, then unanchored deliveries, then conversions, at equal times; a score
 * change right after the event that caused it.
 */
const Rank = { event: 0, score: 0.5, run: 1, delivery: 2, conversion: 3 } as const;

interface SortKey {
  time: number;
  rank: number;
  /** The run's position among runs (0 outside runs). */
  lane: number;
  /** Position within the run's trace; anchored rows sit half a step before or after. */
  seq: number;
  tie: string;
}

interface Placed {
  key: SortKey;
  item: TimelineItem;
}

interface Anchor {
  lane: number;
  seq: number;
  time: number;
}

function compareKeys(a: SortKey, b: SortKey): number {
  return (
    a.time - b.time ||
    a.rank - b.rank ||
    a.lane - b.lane ||
    a.seq - b.seq ||
    (a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0)
  );
}

function compareRuns(a: RunFact, b: RunFact): number {
  if (a.startedAt !== b.startedAt) return a.startedAt - b.startedAt;
  if (a.workflowId !== b.workflowId) return a.workflowId < b.workflowId ? -1 : 1;
  return a.rowId < b.rowId ? -1 : a.rowId > b.rowId ? 1 : 0;
}

function inWindow(time: number, window: TimelineWindow): boolean {
  if (window.since !== null && time < window.since) return false;
  return window.until === null || time < window.until;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** deliveryId → the last send_result decision that names it (its final outcome). */
function sendAnchors(runs: RunFact[]): Map<string, Anchor> {
  const anchors = new Map<string, Anchor>();
  runs.forEach((run, lane) => {
    run.trace?.forEach((decision, index) => {
      const deliveryId = decision.detail?.deliveryId;
      if (decision.kind === 'send_result' && typeof deliveryId === 'string') {
        anchors.set(deliveryId, { lane, seq: index + 0.5, time: decision.at });
      }
    });
  });
  return anchors;
}

/** Events, with audience changes (segment entries and exits, stage moves) read. */
function placeAudienceChanges(facts: TimelineFacts): Placed[] {
  const audience = facts.audience ?? [];
  const read = new Set(audience.map((change) => change.eventId));
  return [
    ...facts.events.filter((event) => !read.has(event.id)).map(placeEvent),
    ...audience.map((change) => ({
      key: {
        time: change.occurredAt,
        rank: Rank.event,
        lane: 0,
        seq: change.receivedAt,
        tie: change.eventId,
      },
      item: audienceChangeItem(change),
    })),
  ];
}

function placeEvent(event: EventFact): Placed {
  return {
    key: {
      time: event.occurredAt,
      rank: Rank.event,
      lane: 0,
      seq: event.receivedAt,
      tie: event.id,
    },
    item: {
      kind: 'event',
      at: iso(event.occurredAt),
      eventId: event.id,
      type: event.type,
      source: event.source,
      deliveryId: event.deliveryId,
      flags: event.flags,
    },
  };
}

function placeRun(run: RunFact, lane: number): Placed[] {
  const trace = run.trace ?? [];
  const runFields = {
    workflowId: run.workflowId,
    runId: run.runId,
    journeyId: run.journeyId,
    version: run.version,
    live: run.live,
  };
  const key = (time: number, seq: number): SortKey => ({
    time,
    rank: Rank.run,
    lane,
    seq,
    tie: run.rowId,
  });
  const decisions = trace.map((decision, index): Placed => ({
    key: key(decision.at, index),
    item: decisionItem(decision, runFields),
  }));
  const entered = trace.findIndex((d) => d.kind === 'entered');
  const enteredAt = entered >= 0 ? trace[entered]!.at : run.startedAt;
  const placed: Placed[] = [
    {
      key: key(enteredAt, entered >= 0 ? entered - 0.5 : -1),
      item: {
        kind: 'run_entered',
        at: iso(enteredAt),
        ...runFields,
        key: run.key,
        triggerEventId: run.triggerEventId,
      },
    },
    ...decisions,
  ];
  const exited = runExit(run, trace);
  if (exited) placed.push({ key: key(exited.time, exited.seq), item: exited.item(runFields) });
  return placed;
}

type RunFields = Pick<
  Extract<TimelineItem, { kind: 'decision' }>,
  'workflowId' | 'runId' | 'journeyId' | 'version' | 'live'
>;

function decisionItem(decision: Decision, runFields: RunFields): TimelineItem {
  return {
    kind: 'decision',
    at: iso(decision.at),
    ...runFields,
    stepId: decision.stepId,
    decision: decision.kind,
    summary: decision.summary,
    detail: decision.detail ?? null,
  };
}

/** A run that has ended exits at its finished decision, or at the registry's end time. */
function runExit(run: RunFact, trace: Decision[]) {
  if (run.status === 'running') return null;
  const finished = lastIndexOf(trace, (d) => d.kind === 'finished');
  const time = finished >= 0 ? trace[finished]!.at : run.endedAt;
  if (time === null) return null;
  return {
    time,
    seq: finished >= 0 ? finished + 0.5 : Number.MAX_SAFE_INTEGER,
    item: (runFields: RunFields): TimelineItem => ({
      kind: 'run_exited',
      at: iso(time),
      ...runFields,
      status: run.status,
      reason: run.finishReason,
    }),
  };
}

function placeDelivery(delivery: DeliveryFact, anchor: Anchor | undefined): Placed {
  const key: SortKey = anchor
    ? { time: anchor.time, rank: Rank.run, lane: anchor.lane, seq: anchor.seq, tie: delivery.id }
    : { time: delivery.createdAt, rank: Rank.delivery, lane: 0, seq: 0, tie: delivery.id };
  return {
    key,
    item: {
      kind: 'delivery',
      at: iso(delivery.createdAt),
      deliveryId: delivery.id,
      workflowId: delivery.workflowId,
      journeyId: delivery.journeyId,
      version: delivery.version,
      stepId: delivery.stepId,
      channel: delivery.channel,
      messageKind: delivery.messageKind,
      status: delivery.status,
      reason: delivery.reason,
      providerCode: delivery.providerCode,
      attempts: delivery.attempts,
      sentAt: delivery.sentAt === null ? null : iso(delivery.sentAt),
      engagement: delivery.engagement,
    },
  };
}

function placeConversion(conversion: ConversionFact): Placed {
  return {
    key: {
      time: conversion.occurredAt,
      rank: Rank.conversion,
      lane: 0,
      seq: 0,
      tie: `${conversion.eventId}/${conversion.model}/${conversion.deliveryId}`,
    },
    item: {
      kind: 'conversion',
      at: iso(conversion.occurredAt),
      eventId: conversion.eventId,
      model: conversion.model,
      deliveryId: conversion.deliveryId,
      journeyId: conversion.journeyId,
      stepId: conversion.stepId,
      channel: conversion.channel,
      weight: conversion.weight,
      revenue: conversion.revenue,
      currency: conversion.currency,
    },
  };
}

function placeScoreChange(change: ScoreChangeFact): Placed {
  return {
    key: {
      time: change.occurredAt,
      rank: Rank.score,
      lane: 0,
      seq: 0,
      tie: `${change.eventId}/${change.scoreId}`,
    },
    item: {
      kind: 'score_changed',
      at: iso(change.occurredAt),
      scoreId: change.scoreId,
      eventId: change.eventId,
      eventType: change.eventType,
      points: change.points,
    },
  };
}

function lastIndexOf<T>(list: T[], test: (value: T) => boolean): number {
  for (let index = list.length - 1; index >= 0; index -= 1) if (test(list[index]!)) return index;
  return -1;
}
