import { orderTimeline } from '../../src/timeline/order-timeline';
import type { EventFact } from '../../src/timeline/timeline-facts';

/** Segment entries and exits and stage moves read in place of their bare events (pure). */

const all = { since: null, until: null, limit: 1000 };

const event = (id: string, type: string, at: number): EventFact => ({
  id,
  type,
  occurredAt: at,
  receivedAt: at,
  source: 'segments',
  deliveryId: null,
  flags: null,
});

it('places segment and stage items where their events were, and drops the bare events', () => {
  const { items } = orderTimeline(
    {
      events: [
        event('purchase-1', 'purchase', 1_000),
        event('seg-in', 'segment_entered', 1_001),
        event('stage', 'lifecycle_changed', 1_002),
        event('seg-out', 'segment_exited', 5_000),
      ],
      runs: [],
      deliveries: [],
      conversions: [],
      audience: [
        {
          eventId: 'seg-in',
          type: 'segment_entered',
          occurredAt: 1_001,
          receivedAt: 1_001,
          properties: { segment_id: 'vips', segment_version: 2 },
        },
        {
          eventId: 'stage',
          type: 'lifecycle_changed',
          occurredAt: 1_002,
          receivedAt: 1_002,
          properties: { from: 'prospect', to: 'vip' },
        },
        {
          eventId: 'seg-out',
          type: 'segment_exited',
          occurredAt: 5_000,
          receivedAt: 5_000,
          properties: { segment_id: 'vips', segment_version: 2 },
        },
      ],
    },
    all,
  );
  expect(items).toEqual([
    expect.objectContaining({ kind: 'event', eventId: 'purchase-1' }),
    {
      kind: 'segment',
      at: new Date(1_001).toISOString(),
      eventId: 'seg-in',
      change: 'entered',
      segmentId: 'vips',
      version: 2,
    },
    {
      kind: 'lifecycle_stage',
      at: new Date(1_002).toISOString(),
      eventId: 'stage',
      from: 'prospect',
      to: 'vip',
    },
    expect.objectContaining({ kind: 'segment', change: 'exited', segmentId: 'vips' }),
  ]);
});

it('reads an RFM recompute’s score_changed event as a score_changed item: cells and the change of value', () => {
  const change = (eventId: string, properties: Record<string, unknown>) => ({
    eventId,
    type: 'score_changed',
    occurredAt: 2_000,
    receivedAt: 2_000,
    properties: { score_id: 'rfm', score_version: 1, ...properties },
  });
  const { items } = orderTimeline(
    {
      events: [event('moved', 'score_changed', 2_000), event('gone', 'score_changed', 2_000)],
      runs: [],
      deliveries: [],
      conversions: [],
      audience: [
        change('moved', { from: '111', to: '313', value: 7, previous_value: 3 }),
        change('gone', { from: '545', to: null, value: null, previous_value: 14 }),
      ],
    },
    all,
  );
  const at = new Date(2_000).toISOString();
  const common = { kind: 'score_changed', at, scoreId: 'rfm', eventType: 'score_changed' };
  expect(items).toEqual([
    { ...common, eventId: 'gone', points: -14, from: '545', to: null },
    { ...common, eventId: 'moved', points: 4, from: '111', to: '313' },
  ]);
});
