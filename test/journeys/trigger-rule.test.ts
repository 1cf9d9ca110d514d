import {
  abandonCart001,
  browseAbandonment2h,
  cartAbandonment24h,
  engagementMomentum,
} from '../../src/journeys/library';
import { simulate } from '../../src/journeys/preview';
import type { JourneyEvent, JsonObject } from '../../src/journeys/run-types';
import type { Trigger } from '../../src/journeys/schema';
import { historyWanted, judgeTrigger } from '../../src/journeys/trigger-rule';
import { validateJourneyDefinition } from '../../src/journeys/validate';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

let ids = 0;
function event(type: string, at: number, properties: JsonObject = {}): JourneyEvent {
  ids += 1;
  return {
    id: `e-${ids}`,
    type,
    customerId: 'c-1',
    occurredAt: new Date(at).toISOString(),
    properties,
  };
}

const triggerOf = (definition: { trigger?: Trigger }): Trigger => definition.trigger as Trigger;

describe('judging behavioural trigger rules on a history', () => {
  describe('cart_abandonment_24h: add_to_cart worth 25 or more, vetoed by purchase or cart_cleared', () => {
    const rule = triggerOf(cartAbandonment24h);

    it('fires for a cart worth 25 with nothing after it', () => {
      const cart = event('add_to_cart', T0, { cart_value: 25 });
      expect(judgeTrigger(rule, cart, [], T0)).toEqual({ fires: true, firstCounted: T0 });
    });

    it('does not fire for a cart worth less', () => {
      const cart = event('add_to_cart', T0, { cart_value: 24.99 });
      expect(judgeTrigger(rule, cart, [], T0)).toMatchObject({ reason: 'where_not_met' });
    });

    it('is vetoed by a purchase or a cleared cart after the add, not by one before it', () => {
      const cart = event('add_to_cart', T0, { cart_value: 80 });
      const before = event('purchase', T0 - MIN);
      expect(judgeTrigger(rule, cart, [before], T0 + HOUR).fires).toBe(true);
      for (const type of ['purchase', 'cart_cleared']) {
        const veto = event(type, T0 + 3 * HOUR);
        expect(judgeTrigger(rule, cart, [before, veto], T0 + 24 * HOUR)).toMatchObject({
          fires: false,
          reason: 'vetoed',
          detail: { event: type, eventId: veto.id },
        });
      }
    });

    it('expires three days after the add (a backlog routed late enters nobody)', () => {
      const cart = event('add_to_cart', T0, { cart_value: 80 });
      expect(judgeTrigger(rule, cart, [], T0 + 72 * HOUR).fires).toBe(true);
      expect(judgeTrigger(rule, cart, [], T0 + 72 * HOUR + 1)).toMatchObject({
        reason: 'expired',
      });
    });
  });

  describe('browse_abandonment_2h: 3 product views of 30 s or more within 120 minutes', () => {
    const rule = triggerOf(browseAbandonment2h);
    const view = (at: number, seconds = 45) => event('product_view', at, { time_on_page: seconds });

    it('asks for the views and the vetoes from two hours before the trigger', () => {
      const third = view(T0);
      expect(historyWanted(rule, third)).toEqual({
        types: ['add_to_cart', 'product_view', 'purchase'],
        since: T0 - 120 * MIN,
      });
    });

    it('fires on the third long view within the window, counting from the first of the three', () => {
      const first = view(T0 - 100 * MIN);
      const second = view(T0 - 50 * MIN);
      expect(judgeTrigger(rule, view(T0), [first, second], T0)).toEqual({
        fires: true,
        firstCounted: T0 - 100 * MIN,
      });
    });

    it('counts neither short views nor views older than the window', () => {
      const short = view(T0 - 10 * MIN, 29);
      const old = view(T0 - 121 * MIN);
      const long = view(T0 - 5 * MIN);
      expect(judgeTrigger(rule, view(T0), [short, old, long], T0)).toMatchObject({
        fires: false,
        reason: 'count_not_reached',
        detail: { counted: 2, atLeast: 3 },
      });
    });

    it('is vetoed by an add_to_cart between the first counted view and now', () => {
      const views = [view(T0 - 90 * MIN), view(T0 - 30 * MIN)];
      const cart = event('add_to_cart', T0 - 60 * MIN);
      expect(judgeTrigger(rule, view(T0), [...views, cart], T0)).toMatchObject({
        reason: 'vetoed',
        detail: { event: 'add_to_cart' },
      });
      const earlierCart = event('add_to_cart', T0 - 100 * MIN);
      expect(judgeTrigger(rule, view(T0), [...views, earlierCart], T0).fires).toBe(true);
    });
  });

  describe('engagement_momentum: a product email click, then a product view within 15 minutes', () => {
    const rule = triggerOf(engagementMomentum);

    it('fires when a product click came up to 15 minutes before the view', () => {
      const click = event('email_clicked', T0 - 15 * MIN, { link_type: 'product' });
      expect(judgeTrigger(rule, event('product_view', T0), [click], T0)).toEqual({
        fires: true,
        firstCounted: T0 - 15 * MIN,
      });
    });

    it('does not fire for a click on another link, a click too long ago, or a view alone', () => {
      const footer = event('email_clicked', T0 - MIN, { link_type: 'footer' });
      const stale = event('email_clicked', T0 - 16 * MIN, { link_type: 'product' });
      expect(judgeTrigger(rule, event('product_view', T0), [footer, stale], T0)).toMatchObject({
        reason: 'no_preceding_event',
      });
      expect(judgeTrigger(rule, event('product_view', T0), [], T0)).toMatchObject({
        reason: 'no_preceding_event',
      });
    });
  });

  describe('abandon_cart_001: cart_add and no purchase within 60 minutes', () => {
    const rule = triggerOf(abandonCart001);

    it('looks only at purchases after the cart_add', () => {
      const cart = event('cart_add', T0);
      expect(historyWanted(rule, cart)).toEqual({ types: ['purchase'], since: T0 });
      expect(judgeTrigger(rule, cart, [], T0 + HOUR).fires).toBe(true);
      expect(judgeTrigger(rule, cart, [event('purchase', T0 + 59 * MIN)], T0 + HOUR)).toMatchObject(
        { reason: 'vetoed' },
      );
    });
  });
});

describe('a trigger on one segment', () => {
  const rule: Trigger = { event: 'segment_entered', segment: 'inactive_30d' };

  it("fires on that segment's entries only", () => {
    const entered = (segment_id: string) => event('segment_entered', T0, { segment_id });
    expect(judgeTrigger(rule, entered('inactive_30d'), [], T0).fires).toBe(true);
    expect(judgeTrigger(rule, entered('web_active'), [], T0)).toMatchObject({
      reason: 'where_not_met',
      detail: { segment: 'inactive_30d' },
    });
  });
});

describe('a delayed entry on a virtual clock', () => {
  const profile = { id: 'c-1', timeZone: 'UTC' };
  const run = (trigger: JourneyEvent, events: { at: number; event: JourneyEvent }[]) =>
    simulate(cartAbandonment24h, {
      profile,
      trigger,
      events,
      now: Date.parse(trigger.occurredAt),
      horizonMs: 48 * HOUR,
    });

  it('enters and sends 24 hours after the add when nothing vetoes it', () => {
    const cart = event('add_to_cart', T0, { cart_value: 40 });
    const result = run(cart, []);
    expect(result.sends.map((s) => [s.stepId, s.at])).toEqual([['reminder', T0 + 24 * HOUR]]);
    expect(result.finalState.status).toBe('completed');
    expect(result.decisions.map((d) => d.summary)).toEqual(
      expect.arrayContaining([
        `entry delayed until ${new Date(T0 + 24 * HOUR).toISOString()}, unless purchase or cart_cleared happens first`,
        'trigger re-checked after the delay: still holds',
      ]),
    );
  });

  it('ends as vetoed the moment a purchase arrives during the delay, and sends nothing', () => {
    const cart = event('add_to_cart', T0, { cart_value: 40 });
    const purchase = event('purchase', T0 + 5 * HOUR);
    const result = run(cart, [{ at: T0 + 5 * HOUR, event: purchase }]);
    expect(result.sends).toEqual([]);
    expect(result.finalState).toMatchObject({ status: 'exited', finishReason: 'vetoed' });
    expect(result.timeline.at(-1)?.at).toBe(T0 + 5 * HOUR);
  });

  it('ignores events that veto nothing while it waits', () => {
    const cart = event('add_to_cart', T0, { cart_value: 40 });
    const view = event('product_view', T0 + HOUR);
    const result = run(cart, [{ at: T0 + HOUR, event: view }]);
    expect(result.sends).toHaveLength(1);
  });
});

describe('trigger rule validation', () => {
  const base = {
    id: 'rule-check',
    name: 'Rule check',
    entry: 'done',
    steps: [{ id: 'done', type: 'exit' }],
  };
  const issuesOf = (trigger: unknown) => {
    const result = validateJourneyDefinition({ ...base, trigger });
    return result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
  };

  it('names the field of each mistake', () => {
    expect(issuesOf({ event: 'x', vetoedBy: [{ event: 'y' }] })).toEqual([
      'trigger.vetoedBy: a veto needs a span of time to look in: set "count", "after" or "delay"',
    ]);
    expect(issuesOf({ event: 'x', delay: '2h', expiresAfter: '2h' })).toEqual([
      'trigger.expiresAfter: must be longer than "delay", or no run could ever enter',
    ]);
    expect(
      issuesOf({
        event: 'x',
        where: { conditions: [{ field: 'profile.plan', op: 'eq', value: 'pro' }] },
      }),
    ).toEqual([
      'trigger.where.conditions.0.field: conditions on a looked-at event read that event: use an event.* path',
    ]);
    expect(issuesOf({ event: 'x', count: { atLeast: 3, within: '120' } })).toEqual([
      'trigger.count.within: must be a duration such as "30m", "24h" or "2d"',
    ]);
    expect(issuesOf({ event: 'x', priority: 0, maxExecutions: { limit: 0 } })).toHaveLength(2);
    expect(issuesOf({ event: 'purchase', segment: 'vip' })).toEqual([
      'trigger.segment: names a segment, so the event must be one of segment_entered, segment_exited',
    ]);
    expect(issuesOf({ event: 'segment_exited', segment: 'vip' })).toEqual([]);
  });
});
