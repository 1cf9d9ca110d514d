import { abandonedCart } from '../../src/journeys/library';
import { simulate } from '../../src/journeys/preview';
import type { JourneyDefinition } from '../../src/journeys/schema';
import { DAY, HOUR, T0, event, profile } from './helpers';

const cart = (value: number, cartId = 'cart-1') =>
  event('cart_abandoned', {
    cart_id: cartId,
    cart_value: value,
    cart_items: [{ name: 'Lamp', price: value }],
  });

function run(
  options: {
    value?: number;
    events?: { at: number; type: string; properties?: object }[];
    definition?: JourneyDefinition;
  } = {},
) {
  const trigger = cart(options.value ?? 80);
  return simulate(options.definition ?? abandonedCart, {
    profile: profile({ first_name: 'Ada' }),
    trigger,
    key: 'cart-1',
    now: T0,
    horizonMs: 30 * DAY,
    events: (options.events ?? []).map((e) => ({
      at: e.at,
      event: event(e.type, (e.properties ?? {}) as never, e.at),
    })),
  });
}

const offsets = (sends: { at: number }[]) => sends.map((s) => (s.at - T0) / HOUR);

describe('abandoned cart on a virtual clock', () => {
  it('sends all four messages at 1h, 6h, 12h and 24h for a cart worth more than 50', () => {
    const result = run({ value: 80 });
    expect(result.sends.map((s) => s.stepId)).toEqual([
      'cart_reminder',
      'high_value_nudge',
      'cart_still_waiting',
      'discount_offer',
    ]);
    expect(offsets(result.sends)).toEqual([1, 6, 12, 24]);
    expect(result.finalState).toMatchObject({ status: 'completed', finishReason: 'completed' });
    expect(result.finalState.context).toEqual({ cart_id: 'cart-1' });
  });

  it('skips the 6h message for a cart worth 50 or less', () => {
    const result = run({ value: 50 });
    expect(result.sends.map((s) => s.stepId)).toEqual([
      'cart_reminder',
      'cart_still_waiting',
      'discount_offer',
    ]);
    expect(offsets(result.sends)).toEqual([1, 12, 24]);
    const branch = result.decisions.find((d) => d.kind === 'branch');
    expect(branch?.detail?.outcomes).toEqual([
      {
        field: 'trigger.properties.cart_value',
        op: 'gt',
        expected: 50,
        actual: 50,
        missing: false,
        passed: false,
      },
    ]);
  });

  it('hands the cart to the send as template variables', () => {
    const send = run().timeline.find((t) => t.command.kind === 'send')?.command;
    expect(send).toMatchObject({
      kind: 'send',
      stepId: 'cart_reminder',
      visit: 1,
      channel: 'email',
      messageKind: 'marketing',
      variables: {
        trigger: { cart_id: 'cart-1', cart_value: 80, cart_items: [{ name: 'Lamp', price: 80 }] },
        context: { cart_id: 'cart-1' },
      },
    });
  });

  it('exits at once on a purchase in the middle of a wait', () => {
    const result = run({ events: [{ at: T0 + 8 * HOUR, type: 'purchase' }] });
    expect(offsets(result.sends)).toEqual([1, 6]);
    expect(result.finalState).toMatchObject({
      status: 'exited',
      finishReason: 'exit_event',
      currentStepId: 'wait_12h',
    });
    const last = result.timeline[result.timeline.length - 1];
    expect(last).toEqual({
      at: T0 + 8 * HOUR,
      command: { kind: 'finish', status: 'exited', reason: 'exit_event' },
    });
  });

  it('waits listen for the exit event so the driver wakes for it', () => {
    const wait = run().timeline.find((t) => t.command.kind === 'wait')?.command;
    expect(wait).toEqual({
      kind: 'wait',
      stepId: 'wait_1h',
      until: T0 + HOUR,
      events: ['purchase'],
    });
  });

  it('ignores unrelated events and keeps the same wait', () => {
    const result = run({ events: [{ at: T0 + 30 * 60_000, type: 'page_view' }] });
    expect(offsets(result.sends)).toEqual([1, 6, 12, 24]);
    expect(result.decisions).toContainEqual(
      expect.objectContaining({ kind: 'event_ignored', stepId: 'wait_1h', at: T0 + 30 * 60_000 }),
    );
  });

  it('ends at maxDuration, cutting the pending wait short', () => {
    const result = run({ definition: { ...abandonedCart, maxDuration: '10h' } });
    expect(offsets(result.sends)).toEqual([1, 6]);
    const lastWait = result.timeline.filter((t) => t.command.kind === 'wait').pop()?.command;
    expect(lastWait).toMatchObject({ stepId: 'wait_12h', until: T0 + 10 * HOUR });
    expect(result.finalState).toMatchObject({ status: 'exited', finishReason: 'max_duration' });
    expect(result.timeline[result.timeline.length - 1]?.at).toBe(T0 + 10 * HOUR);
  });

  it('does not start for a cart of 25 or less (trigger rechecked at start)', () => {
    const result = run({ value: 25 });
    expect(result.sends).toEqual([]);
    expect(result.finalState).toMatchObject({ status: 'exited', finishReason: 'trigger_mismatch' });
  });
});
