import { evaluateConditionGroup } from './conditions';
import { parseDuration } from './durations';
import type { JourneyEvent, JsonObject } from './run-types';
import type { ConditionGroup, Trigger } from './schema';

/**
 * Behavioural trigger rules, judged the same way by the router when the trigger event arrives
 * and by the run when its entry delay is over (so "re-checks the vetoes" is the same check, on
 * the history as it is then). Pure: the caller loads the history historyWanted names.
 */

/** Which of the customer's events a rule looks at: their types, from `since` (epoch ms) on. */
export interface HistoryWanted {
  types: string[];
  since: number;
}

export type TriggerVerdict =
  | { fires: true; firstCounted: number }
  | {
      fires: false;
      reason: 'where_not_met' | 'count_not_reached' | 'no_preceding_event' | 'vetoed' | 'expired';
      detail: JsonObject;
    };

/** How many events of one type a history holds at most: the rule needs the newest only. */
export const HISTORY_LIMIT_PER_TYPE = 100;

/** The history a rule needs, or null when it looks at the trigger event alone. */
export function historyWanted(trigger: Trigger, event: JourneyEvent): HistoryWanted | null {
  const types = new Set<string>();
  let window = 0;
  if (trigger.count && trigger.count.atLeast > 1) {
    types.add(trigger.event);
    window = Math.max(window, parseDuration(trigger.count.within));
  }
  if (trigger.after) {
    types.add(trigger.after.event);
    window = Math.max(window, parseDuration(trigger.after.within));
  }
  for (const veto of trigger.vetoedBy ?? []) types.add(veto.event);
  if (types.size === 0) return null;
  return { types: [...types].sort(), since: Date.parse(event.occurredAt) - window };
}

/**
 * Whether the rule fires for this trigger event, given the customer's history (events other than
 * the trigger, any order) and the time now. The window counts back from the trigger's own time;
 * vetoes count from the first event the rule counted on.
 */
export function judgeTrigger(
  trigger: Trigger,
  event: JourneyEvent,
  history: readonly JourneyEvent[],
  now: number,
): TriggerVerdict {
  const at = Date.parse(event.occurredAt);
  if (trigger.expiresAfter && now > at + parseDuration(trigger.expiresAfter)) {
    return refused('expired', { expiresAfter: trigger.expiresAfter });
  }
  if (trigger.segment && event.properties.segment_id !== trigger.segment) {
    return refused('where_not_met', { segment: trigger.segment });
  }
  if (!meets(trigger.where, event, now)) return refused('where_not_met', {});
  const others = history.filter((e) => e.id !== event.id);
  let firstCounted = at;

  if (trigger.count && trigger.count.atLeast > 1) {
    const from = at - parseDuration(trigger.count.within);
    const counted = others
      .filter((e) => e.type === trigger.event && inSpan(e, from, at))
      .filter((e) => meets(trigger.where, e, now))
      .map(timeOf)
      .sort((a, b) => b - a);
    const needed = trigger.count.atLeast - 1;
    if (counted.length < needed) {
      return refused('count_not_reached', {
        counted: counted.length + 1,
        atLeast: trigger.count.atLeast,
      });
    }
    firstCounted = Math.min(firstCounted, counted[needed - 1] ?? at);
  }

  if (trigger.after) {
    const { after } = trigger;
    const from = at - parseDuration(after.within);
    const preceding = others
      .filter((e) => e.type === after.event && inSpan(e, from, at) && meets(after.where, e, now))
      .map(timeOf);
    if (preceding.length === 0) {
      return refused('no_preceding_event', { event: after.event, within: after.within });
    }
    firstCounted = Math.min(firstCounted, Math.max(...preceding));
  }

  const veto = firstVeto(trigger, others, firstCounted, now);
  if (veto) return refused('vetoed', { event: veto.type, eventId: veto.id });
  return { fires: true, firstCounted };
}

/**
 * The first vetoing event after `from`, or null. One dated later than now still vetoes (a client
 * clock ahead of ours): a veto that cannot be placed in time is taken, not ignored.
 */
function firstVeto(
  trigger: Trigger,
  history: readonly JourneyEvent[],
  from: number,
  now: number,
): JourneyEvent | null {
  const vetoes = trigger.vetoedBy ?? [];
  const found = history
    .filter((e) => timeOf(e) > from)
    .filter((e) => vetoes.some((v) => v.event === e.type && meets(v.where, e, now)))
    .sort((a, b) => timeOf(a) - timeOf(b));
  return found[0] ?? null;
}

/** Whether an event arriving during the entry delay vetoes it. */
export function vetoes(trigger: Trigger, event: JourneyEvent, now: number): boolean {
  return (trigger.vetoedBy ?? []).some((v) => v.event === event.type && meets(v.where, event, now));
}

function meets(where: ConditionGroup | undefined, event: JourneyEvent, now: number): boolean {
  return !where || evaluateConditionGroup(where, { event }, now).passed;
}

function inSpan(event: JourneyEvent, from: number, to: number): boolean {
  const time = timeOf(event);
  return time >= from && time <= to;
}

function timeOf(event: JourneyEvent): number {
  return Date.parse(event.occurredAt);
}

function refused(
  reason: Extract<TriggerVerdict, { fires: false }>['reason'],
  detail: JsonObject,
): TriggerVerdict {
  return { fires: false, reason, detail };
}
