import { abandonedCart, welcomeSeries } from '../../src/journeys/library';
import { simulate } from '../../src/journeys/preview';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { DAY, HOUR, T0, event, profile } from './helpers';

const trigger = event('cart_abandoned', { cart_id: 'c1', cart_value: 80, cart_items: [] });

describe('simulate', () => {
  it('stops at the horizon with the run still going', () => {
    const result = simulate(abandonedCart, {
      profile: profile(),
      trigger,
      key: 'c1',
      now: T0,
      horizonMs: 8 * HOUR,
    });
    expect(result.reachedHorizon).toBe(true);
    expect(result.finalState.status).toBe('running');
    expect(result.sends.map((s) => s.stepId)).toEqual(['cart_reminder', 'high_value_nudge']);
  });

  it('passes send outcomes back into the trace', () => {
    const result = simulate(welcomeSeries, {
      profile: profile(),
      trigger: event('user_signup'),
      now: T0,
      horizonMs: 30 * DAY,
      sendOutcome: (command) => ({
        status: 'skipped',
        deliveryId: `${command.stepId}`,
        reason: 'no_consent',
      }),
    });
    const results = result.decisions.filter((d) => d.kind === 'send_result');
    // Four messages, and the SMS's email fallback after the SMS was skipped.
    expect(results).toHaveLength(5);
    expect(results.every((d) => d.summary.endsWith('skipped (no_consent)'))).toBe(true);
    expect(result.decisions.filter((d) => d.kind === 'send_fallback')).toHaveLength(1);
  });

  it('cancels at the given time', () => {
    const result = simulate(abandonedCart, {
      profile: profile(),
      trigger,
      key: 'c1',
      now: T0,
      horizonMs: 30 * DAY,
      cancelAt: T0 + 2 * HOUR,
    });
    expect(result.finalState).toMatchObject({ status: 'cancelled', finishReason: 'cancelled' });
    expect(result.sends).toHaveLength(1);
  });

  it('lists every command once, with its virtual time', () => {
    const result = simulate(abandonedCart, {
      profile: profile(),
      trigger,
      key: 'c1',
      now: T0,
      horizonMs: 30 * DAY,
      events: [{ at: T0 + 30 * 60_000, event: event('page_view') }],
    });
    expect(result.timeline.slice(0, 2)).toEqual([
      { at: T0, command: { kind: 'load_profile' } },
      {
        at: T0,
        command: { kind: 'wait', stepId: 'wait_1h', until: T0 + HOUR, events: ['purchase'] },
      },
    ]);
    expect(result.timeline[2]).toMatchObject({
      at: T0 + HOUR,
      command: { kind: 'send', stepId: 'cart_reminder' },
    });
  });
});

describe('simulate with a goal', () => {
  const promo = parseJourneyDefinition({
    id: 'promo',
    name: 'Promo',
    goal: { event: 'purchase', within: '3d' },
    entry: 'offer',
    steps: [
      {
        id: 'offer',
        type: 'send',
        channel: 'email',
        content: { subject: 'Sale', html: '<p>Sale</p>' },
        next: 'linger',
      },
      { id: 'linger', type: 'wait', for: '5d' },
    ],
  });
  const purchase = event('purchase', { revenue: 20 });

  it('records the conversion as a command, with the same trace a real run gets', () => {
    const result = simulate(promo, {
      profile: profile(),
      now: T0,
      horizonMs: 30 * DAY,
      events: [{ at: T0 + HOUR, event: purchase }],
      conversionSummary: (command) => ({ status: 'recorded', goal: command.event.type }),
    });
    expect(result.timeline.slice(-2)).toEqual([
      {
        at: T0 + HOUR,
        command: {
          kind: 'record_conversion',
          event: purchase,
          windowMs: 3 * DAY,
          revenuePath: 'event.properties.revenue',
        },
      },
      { at: T0 + HOUR, command: { kind: 'finish', status: 'completed', reason: 'goal_reached' } },
    ]);
    expect(result.decisions.slice(-3).map((d) => [d.kind, d.summary])).toEqual([
      ['goal', 'goal reached: purchase'],
      ['finished', 'run completed (goal_reached)'],
      ['conversion', 'conversion recorded for goal purchase'],
    ]);
    expect(result.decisions.at(-1)?.detail).toEqual({
      eventId: purchase.id,
      status: 'recorded',
      goal: 'purchase',
    });
    expect(result.finalState.pendingConversion).toBeNull();
  });

  it('says a preview credits nothing unless told otherwise', () => {
    const result = simulate(promo, {
      profile: profile(),
      now: T0,
      horizonMs: 30 * DAY,
      events: [{ at: T0 + HOUR, event: purchase }],
    });
    expect(result.decisions.at(-1)).toMatchObject({
      kind: 'conversion',
      detail: { status: 'previewed' },
    });
  });
});
