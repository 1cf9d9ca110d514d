import { readFileSync } from 'node:fs';
import path from 'node:path';
import { abandonedCart } from '../../src/journeys/library';
import { simulate } from '../../src/journeys/preview';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { parseJourneyDefinition, validateJourneyDefinition } from '../../src/journeys/validate';
import { HOUR, MINUTE, T0, event, profile } from './helpers';

/** The README's five-minute tour journey, read from the README itself (the curl body). */
function tourJourney(): unknown {
  const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const body = /POST \$API\/journeys -d '(\{[\s\S]*?\})'/.exec(readme)?.[1];
  if (!body) throw new Error('the README has no tour journey');
  return JSON.parse(body);
}

const cartNudge = parseJourneyDefinition(tourJourney());

/** One cart's run through a journey, with events at minutes after entry. */
function cartRun(
  definition: typeof cartNudge,
  cartId: string,
  events: { atMinute: number; type: string; properties?: Record<string, string | number> }[],
) {
  return simulate(definition, {
    profile: profile(),
    trigger: event('cart_abandoned', { cart_id: cartId, cart_value: 80, cart_items: [] }),
    key: cartId,
    now: T0,
    horizonMs: 48 * HOUR,
    events: events.map((e) => ({
      at: T0 + e.atMinute * MINUTE,
      event: event(e.type, e.properties ?? {}, T0 + e.atMinute * MINUTE),
    })),
  });
}

describe('exitOn scoped to the run key', () => {
  it('reads the tour journey as the README shows it: keyed by cart, exit on purchase', () => {
    expect(cartNudge).toMatchObject({
      id: 'cart-nudge',
      reEntry: { mode: 'keyed', key: 'cart_id' },
      exitOn: [{ event: 'purchase', match: { key: 'cart_id' } }],
    });
  });

  it("a purchase of cart A ends cart A's run and leaves cart B's to send its email", () => {
    // The router delivers the purchase to every run listening for it: both carts' runs.
    const purchaseOfA = [{ atMinute: 0.25, type: 'purchase', properties: { cart_id: 'c-A' } }];
    const runA = cartRun(cartNudge, 'c-A', purchaseOfA);
    const runB = cartRun(cartNudge, 'c-B', purchaseOfA);
    expect(runA.finalState).toMatchObject({ status: 'exited', finishReason: 'exit_event' });
    expect(runA.sends).toEqual([]);
    expect(runB.finalState).toMatchObject({ status: 'completed', finishReason: 'completed' });
    expect(runB.sends.map((s) => s.stepId)).toEqual(['nudge']);
    expect(runB.decisions).toContainEqual(
      expect.objectContaining({
        kind: 'condition',
        summary: 'exitOn purchase not about this run: cart_id does not equal context.cart_id',
      }),
    );
  });

  it('a purchase that names no cart is not about this cart, and the trace says so', () => {
    const run = cartRun(cartNudge, 'c-A', [{ atMinute: 0.25, type: 'purchase' }]);
    expect(run.sends.map((s) => s.stepId)).toEqual(['nudge']);
    expect(run.decisions.map((d) => d.summary)).toContain(
      'exitOn purchase not about this run: event lacks property cart_id',
    );
  });

  it('compares a numeric key in the event with the run key string', () => {
    const run = cartRun(cartNudge, '9', [
      { atMinute: 0.25, type: 'purchase', properties: { cart_id: 9 } },
    ]);
    expect(run.finalState.finishReason).toBe('exit_event');
  });

  it('can compare with another field of the run through equals', () => {
    const byOrder = parseJourneyDefinition({
      ...cartNudge,
      exitOn: [
        { event: 'purchase', match: { key: 'order', equals: 'trigger.properties.order_ref' } },
      ],
    } satisfies JourneyDefinitionInput);
    const run = simulate(byOrder, {
      profile: profile(),
      trigger: event('cart_abandoned', { cart_id: 'c-A', order_ref: 'o-7' }),
      key: 'c-A',
      now: T0,
      horizonMs: HOUR,
      events: [{ at: T0 + 1_000, event: event('purchase', { order: 'o-7' }) }],
    });
    expect(run.finalState.finishReason).toBe('exit_event');
  });
});

describe('a goal scoped to the run key', () => {
  const keyedGoal = parseJourneyDefinition({
    ...cartNudge,
    exitOn: [],
    goal: { event: 'purchase', match: { key: 'cart_id' } },
  } satisfies JourneyDefinitionInput);

  it("counts only a purchase of this run's cart", () => {
    const other = cartRun(keyedGoal, 'c-B', [
      { atMinute: 0.25, type: 'purchase', properties: { cart_id: 'c-A' } },
    ]);
    expect(other.timeline.map((t) => t.command.kind)).not.toContain('record_conversion');
    expect(other.finalState).toMatchObject({ goalReachedAt: null, finishReason: 'completed' });
    const own = cartRun(keyedGoal, 'c-A', [
      { atMinute: 0.25, type: 'purchase', properties: { cart_id: 'c-A' } },
    ]);
    expect(own.timeline.map((t) => t.command.kind)).toContain('record_conversion');
    expect(own.finalState).toMatchObject({
      finishReason: 'goal_reached',
      goalReachedAt: T0 + 15_000,
    });
  });
});

describe('the built-in abandoned cart', () => {
  const run = (properties: Record<string, string>) =>
    cartRun(abandonedCart, 'cart-1', [{ atMinute: 8 * 60, type: 'purchase', properties }]);

  it('ends at a purchase of its cart, or of no named cart, but not of another cart', () => {
    expect(run({ cart_id: 'cart-1' }).finalState.finishReason).toBe('exit_event');
    expect(run({}).finalState.finishReason).toBe('exit_event');
    const other = run({ cart_id: 'cart-2' });
    expect(other.finalState.finishReason).toBe('completed');
    expect(other.sends).toHaveLength(4);
  });
});

describe('validation of matches', () => {
  const unkeyed = {
    id: 'unkeyed',
    name: 'Unkeyed',
    entry: 'pause',
    steps: [{ id: 'pause', type: 'wait', for: '1h' }],
  };
  const issues = (input: object) => {
    const result = validateJourneyDefinition(input);
    return result.ok ? [] : result.issues.map((i) => i.path);
  };

  it('needs equals on an unkeyed journey, naming the path, for exitOn, goal and waitForEvent', () => {
    expect(
      issues({ ...unkeyed, exitOn: [{ event: 'purchase', match: { key: 'cart_id' } }] }),
    ).toEqual(['exitOn.0.match.equals']);
    expect(issues({ ...unkeyed, goal: { event: 'purchase', match: { key: 'cart_id' } } })).toEqual([
      'goal.match.equals',
    ]);
    const waiting = {
      ...unkeyed,
      entry: 'await',
      steps: [
        { id: 'await', type: 'waitForEvent', event: 'x', match: { key: 'id' }, timeout: '1h' },
      ],
    };
    expect(issues(waiting)).toEqual(['steps.0.match.equals']);
  });

  it('takes a match with equals on an unkeyed journey, and without it on a keyed one', () => {
    const explicit = {
      event: 'purchase',
      match: { key: 'cart_id', equals: 'trigger.properties.cart_id' },
    };
    expect(issues({ ...unkeyed, exitOn: [explicit] })).toEqual([]);
    const keyed = { ...unkeyed, reEntry: { mode: 'keyed', key: 'cart_id' } };
    expect(
      issues({ ...keyed, exitOn: [{ event: 'purchase', match: { key: 'cart_id' } }] }),
    ).toEqual([]);
  });
});
