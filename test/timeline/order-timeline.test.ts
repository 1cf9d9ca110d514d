import type { TimelineItem } from '../../src/contract/timeline';
import type { Decision } from '../../src/journeys/run-types';
import { orderTimeline } from '../../src/timeline/order-timeline';
import type {
  ConversionFact,
  DeliveryFact,
  EventFact,
  RunFact,
  TimelineFacts,
  TimelineWindow,
} from '../../src/timeline/timeline-facts';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const MIN = 60_000;
const DAY = 86_400_000;
const all: TimelineWindow = { since: null, until: null, limit: 1000 };

function event(id: string, at: number, extra: Partial<EventFact> = {}): EventFact {
  return {
    id,
    type: 'cart_abandoned',
    occurredAt: at,
    receivedAt: at,
    source: 'api',
    deliveryId: null,
    flags: null,
    ...extra,
  };
}

function decision(at: number, kind: Decision['kind'], extra: Partial<Decision> = {}): Decision {
  return { at, stepId: null, kind, summary: kind, ...extra };
}

function run(workflowId: string, extra: Partial<RunFact> = {}): RunFact {
  return {
    rowId: `row-${workflowId}`,
    workflowId,
    runId: null,
    journeyId: 'cart',
    version: 1,
    key: null,
    status: 'completed',
    finishReason: 'completed',
    triggerEventId: null,
    startedAt: T0,
    endedAt: T0 + 10 * MIN,
    trace: null,
    live: false,
    ...extra,
  };
}

function delivery(id: string, createdAt: number, extra: Partial<DeliveryFact> = {}): DeliveryFact {
  return {
    id,
    workflowId: 'wf-a',
    journeyId: 'cart',
    version: 1,
    stepId: 'nudge',
    channel: 'email',
    messageKind: 'marketing',
    status: 'sent',
    reason: null,
    providerCode: null,
    attempts: 1,
    createdAt,
    sentAt: createdAt,
    engagement: { opens: 0, clicks: 0, flagged: 0 },
    ...extra,
  };
}

function conversion(eventId: string, at: number, model: ConversionFact['model']): ConversionFact {
  return {
    id: `${eventId}-${model}`,
    eventId,
    model,
    deliveryId: 'd-1',
    journeyId: 'cart',
    stepId: 'nudge',
    channel: 'email',
    weight: 1,
    revenue: 40,
    currency: 'EUR',
    occurredAt: at,
  };
}

function facts(partial: Partial<TimelineFacts>): TimelineFacts {
  return { events: [], runs: [], deliveries: [], conversions: [], ...partial };
}

/** A compact label per item: kind plus what tells items of a kind apart. */
function label(item: TimelineItem): string {
  switch (item.kind) {
    case 'event':
      return `event:${item.eventId}`;
    case 'run_entered':
    case 'run_exited':
      return `${item.kind}:${item.workflowId}`;
    case 'decision':
      return `decision:${item.workflowId}:${item.decision}`;
    case 'delivery':
      return `delivery:${item.deliveryId}`;
    case 'conversion':
      return `conversion:${item.eventId}:${item.model}`;
    case 'score_changed':
      return `score:${item.eventId}:${item.scoreId}`;
    case 'segment':
      return `segment:${item.change}:${item.segmentId}`;
    case 'lifecycle_stage':
      return `stage:${item.from ?? '-'}:${item.to ?? '-'}`;
  }
}

const labels = (input: TimelineFacts, window = all) =>
  orderTimeline(input, window).items.map(label);

const sendResult = (at: number, deliveryId: string) =>
  decision(at, 'send_result', { stepId: 'nudge', detail: { deliveryId, status: 'sent' } });

describe('orderTimeline', () => {
  const trace = [
    decision(T0, 'entered'),
    decision(T0, 'wait_scheduled', { stepId: 'wait' }),
    sendResult(T0 + 5 * MIN, 'd-1'),
    decision(T0 + 5 * MIN, 'finished'),
  ];
  const cart = facts({
    events: [
      event('trigger', T0 - MIN),
      event('open', T0 + 7 * MIN, { type: 'email_opened', deliveryId: 'd-1' }),
      event('purchase', T0 + 9 * MIN, { type: 'purchase' }),
    ],
    runs: [run('wf-a', { trace, endedAt: T0 + 5 * MIN })],
    deliveries: [delivery('d-1', T0 + 5 * MIN)],
    conversions: [conversion('purchase', T0 + 9 * MIN, 'last_touch')],
  });

  it('merges every kind in time order', () => {
    expect(labels(cart)).toEqual([
      'event:trigger',
      'run_entered:wf-a',
      'decision:wf-a:entered',
      'decision:wf-a:wait_scheduled',
      'decision:wf-a:send_result',
      'delivery:d-1',
      'decision:wf-a:finished',
      'run_exited:wf-a',
      'event:open',
      'event:purchase',
      'conversion:purchase:last_touch',
    ]);
  });

  it('gives the same order whatever order the facts come in', () => {
    const reversed = facts({
      events: [...cart.events].reverse(),
      runs: cart.runs,
      deliveries: cart.deliveries,
      conversions: cart.conversions,
    });
    expect(labels(reversed)).toEqual(labels(cart));
  });

  it('places rows of a run by its decisions when the clocks disagree by days', () => {
    // A time-skipping server: decisions a day later than the rows Postgres stamped.
    const skewed = [
      decision(T0 + DAY, 'entered'),
      sendResult(T0 + 2 * DAY, 'd-1'),
      decision(T0 + 3 * DAY, 'finished'),
    ];
    const input = facts({
      runs: [run('wf-a', { trace: skewed, startedAt: T0, endedAt: T0 + 2 * MIN })],
      deliveries: [delivery('d-1', T0 + MIN)],
    });
    const { items } = orderTimeline(input, all);
    expect(items.map(label)).toEqual([
      'run_entered:wf-a',
      'decision:wf-a:entered',
      'decision:wf-a:send_result',
      'delivery:d-1',
      'decision:wf-a:finished',
      'run_exited:wf-a',
    ]);
    // Entry and exit take the run's own times; the delivery keeps its ledger time.
    expect(items[0]!.at).toBe(new Date(T0 + DAY).toISOString());
    expect(items[3]!.at).toBe(new Date(T0 + MIN).toISOString());
    expect(items[5]!.at).toBe(new Date(T0 + 3 * DAY).toISOString());
  });

  it('anchors a deferred and retried delivery at its last send_result', () => {
    const retried = [
      decision(T0, 'entered'),
      decision(T0, 'send_result', { detail: { deliveryId: 'd-1', status: 'deferred' } }),
      decision(T0 + MIN, 'send_deferred'),
      sendResult(T0 + DAY, 'd-1'),
    ];
    const input = facts({
      runs: [run('wf-a', { trace: retried, status: 'running', endedAt: null })],
      deliveries: [delivery('d-1', T0)],
    });
    expect(labels(input).slice(-2)).toEqual(['decision:wf-a:send_result', 'delivery:d-1']);
  });

  it('uses registry and ledger times for a run without a trace', () => {
    const input = facts({
      runs: [run('wf-a', { startedAt: T0, endedAt: T0 + 2 * MIN })],
      deliveries: [delivery('d-1', T0 + MIN), delivery('d-0', T0)],
    });
    // At equal times the run's entry comes before a delivery no trace accounts for.
    expect(labels(input)).toEqual([
      'run_entered:wf-a',
      'delivery:d-0',
      'delivery:d-1',
      'run_exited:wf-a',
    ]);
  });

  it('leaves a running run open and keeps trace order for decisions at the same instant', () => {
    const live = [
      decision(T0, 'entered'),
      decision(T0, 'step_started'),
      decision(T0, 'branch'),
      decision(T0, 'wait_scheduled'),
    ];
    const input = facts({ runs: [run('wf-a', { trace: live, status: 'running', live: true })] });
    const { items } = orderTimeline(input, all);
    expect(items.map(label)).toEqual([
      'run_entered:wf-a',
      'decision:wf-a:entered',
      'decision:wf-a:step_started',
      'decision:wf-a:branch',
      'decision:wf-a:wait_scheduled',
    ]);
    expect(items.every((item) => !('live' in item) || item.live)).toBe(true);
  });

  it('orders runs entered at the same time by workflow id, and ties within a kind by id', () => {
    const input = facts({
      events: [event('b', T0), event('a', T0)],
      runs: [run('wf-b'), run('wf-a')],
    });
    expect(labels(input)).toEqual([
      'event:a',
      'event:b',
      'run_entered:wf-a',
      'run_entered:wf-b',
      'run_exited:wf-a',
      'run_exited:wf-b',
    ]);
  });

  it('keeps items in [since, until) and reports more beyond the limit', () => {
    const window = { since: T0, until: T0 + 9 * MIN, limit: 1000 };
    expect(labels(cart, window)).toEqual([
      'run_entered:wf-a',
      'decision:wf-a:entered',
      'decision:wf-a:wait_scheduled',
      'decision:wf-a:send_result',
      'delivery:d-1',
      'decision:wf-a:finished',
      'run_exited:wf-a',
      'event:open',
    ]);
    const limited = orderTimeline(cart, { since: null, until: null, limit: 2 });
    expect(limited.items.map(label)).toEqual(['event:trigger', 'run_entered:wf-a']);
    expect(limited.hasMore).toBe(true);
    expect(orderTimeline(cart, { since: null, until: null, limit: 11 }).hasMore).toBe(false);
  });

  it('shows a skipped delivery with its reason and engagement counts, and nothing personal', () => {
    const input = facts({
      deliveries: [
        delivery('d-1', T0, { status: 'skipped', reason: 'no_consent', sentAt: null }),
        delivery('d-2', T0 + MIN, { engagement: { opens: 2, clicks: 1, flagged: 1 } }),
      ],
    });
    expect(orderTimeline(input, all).items).toEqual([
      expect.objectContaining({ kind: 'delivery', status: 'skipped', reason: 'no_consent' }),
      expect.objectContaining({ engagement: { opens: 2, clicks: 1, flagged: 1 } }),
    ]);
  });
});
