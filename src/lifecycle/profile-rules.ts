import { asTimestamp } from '../journeys/conditions';
import type { JsonObject, JsonValue } from '../journeys/run-types';
import { numericValue } from '../segments/event-facts';

/**
 * Profile update rules: what an event does to the customer's attributes, declared as data. Each
 * rule is applied at most once per event (src/audience/profile-rules.ts keeps a row per rule and
 * event id in the transaction that changes the attribute), so a replayed or re-delivered purchase
 * counts once. This module is pure: the fold of events into attribute changes, no I/O.
 *
 * Kinds of update:
 *   latest_time  the attribute is the latest occurredAt of the rule's events (an ISO string)
 *   add          the attribute grows by a numeric property of the event (a missing or
 *                non-numeric property adds nothing)
 *   count        the attribute grows by one per event
 */
export type ProfileRuleUpdate =
  { kind: 'latest_time' } | { kind: 'add'; property: string } | { kind: 'count' };

export interface ProfileRule {
  /** Stable: the idempotency rows are keyed by it. */
  id: string;
  event: string;
  attribute: string;
  update: ProfileRuleUpdate;
  description: string;
}

/**
 * The built-in rules of seed S0 ("profile updated from events"), with Cairn's canonical names: a
 * purchase's amount is properties.total, as the built-in segments and journeys read it.
 */
export const builtInProfileRules: readonly ProfileRule[] = [
  {
    id: 'last_login',
    event: 'login',
    attribute: 'last_login',
    update: { kind: 'latest_time' },
    description: 'The time of the latest login event.',
  },
  {
    id: 'lifetime_value',
    event: 'purchase',
    attribute: 'lifetime_value',
    update: { kind: 'add', property: 'total' },
    description: 'The sum of properties.total over purchases.',
  },
  {
    id: 'orders_count',
    event: 'purchase',
    attribute: 'orders_count',
    update: { kind: 'count' },
    description: 'The number of purchases.',
  },
  {
    id: 'last_purchase_at',
    event: 'purchase',
    attribute: 'last_purchase_at',
    update: { kind: 'latest_time' },
    description: 'The time of the latest purchase.',
  },
];

/** An event as the rules read it (times in epoch ms). */
export interface RuleEvent {
  id: string;
  customerId: string;
  type: string;
  occurredAt: number;
  properties: JsonObject;
}

/** A rule that has not yet been applied to an event. */
export interface RuleApplication {
  rule: ProfileRule;
  event: RuleEvent;
}

/** Each rule paired with each event of its type. */
export function applicationsOf(
  rules: readonly ProfileRule[],
  events: readonly RuleEvent[],
): RuleApplication[] {
  return events.flatMap((event) =>
    rules.filter((rule) => rule.event === event.type).map((rule) => ({ rule, event })),
  );
}

/** Sums of money in floating point gather noise (0.1 + 0.2); a millionth is below any currency. */
const roundSum = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * The attributes these applications change, given the customer's current attributes: only the
 * attributes whose value changes are in the result (empty: nothing to write). An `add` or
 * `count` attribute that holds something other than a number is left as it is (it was set by
 * someone else, and adding to it would guess); a `latest_time` attribute that is not a
 * timestamp is replaced.
 */
export function attributeChanges(
  current: JsonObject,
  applications: readonly RuleApplication[],
): JsonObject {
  const next: Record<string, JsonValue> = {};
  const value = (name: string): JsonValue | undefined =>
    name in next ? next[name] : Object.hasOwn(current, name) ? current[name] : undefined;
  for (const { rule, event } of applications) {
    const before = value(rule.attribute);
    const after = updated(rule.update, before, event);
    if (after !== undefined) next[rule.attribute] = after;
  }
  return Object.fromEntries(
    Object.entries(next).filter(([name, after]) => current[name] !== after),
  );
}

function updated(
  update: ProfileRuleUpdate,
  before: JsonValue | undefined,
  event: RuleEvent,
): JsonValue | undefined {
  if (update.kind === 'latest_time') {
    const previous = before === undefined || before === null ? null : asTimestamp(before);
    if (previous !== null && previous >= event.occurredAt) return undefined;
    return new Date(event.occurredAt).toISOString();
  }
  const base = before === undefined || before === null ? 0 : numberOrNull(before);
  if (base === null) return undefined;
  if (update.kind === 'count') return base + 1;
  const amount = numericValue(event.properties[update.property]);
  return amount === null ? undefined : roundSum(base + amount);
}

function numberOrNull(value: JsonValue): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
