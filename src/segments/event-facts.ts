import { evaluateCondition } from '../journeys/conditions';
import { parseDuration } from '../journeys/durations';
import { resolveField } from '../journeys/field-paths';
import type { JsonObject, JsonValue } from '../journeys/run-types';
import type { Condition } from '../journeys/schema';
import type { FactEvent } from './customer-facts';
import type { Count, PropertyComparison } from './schema';

/** A property comparison as the journey condition it means, read against the event's properties. */
export function asJourneyCondition(comparison: PropertyComparison): Condition {
  const { property, ...rest } = comparison;
  return { ...rest, field: `context.${property}` };
}

export function propertiesPass(
  where: readonly PropertyComparison[] | undefined,
  properties: JsonObject,
  now: number,
): boolean {
  if (!where) return true;
  return where.every(
    (comparison) =>
      evaluateCondition(asJourneyCondition(comparison), { context: properties }, now).passed,
  );
}

export interface EventFilter {
  event: string;
  where?: PropertyComparison[] | undefined;
  within?: string | undefined;
}

/** The events of the filter's type whose properties pass, inside (now - within, now]. */
export function matchingEvents(
  events: readonly FactEvent[],
  filter: EventFilter,
  now: number,
): FactEvent[] {
  const from = filter.within === undefined ? -Infinity : now - parseDuration(filter.within);
  return events.filter(
    (e) =>
      e.type === filter.event &&
      e.occurredAt <= now &&
      e.occurredAt > from &&
      propertiesPass(filter.where, e.properties, now),
  );
}

export function countPasses(count: Count | undefined, n: number): boolean {
  if (!count || count.atLeast !== undefined) return n >= (count?.atLeast ?? 1);
  if (count.atMost !== undefined) return n <= count.atMost;
  return n === count.exactly;
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** The journey rule for numbers: a finite number, or a numeric string ("42", " -1.5 "). */
export function numericValue(value: JsonValue | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  return null;
}

/** The numeric values of a property over events, others left out. */
export function numericValues(events: readonly FactEvent[], property: string): number[] {
  const values: number[] = [];
  for (const e of events) {
    const resolved = resolveField(`context.${property}`, { context: e.properties });
    const n = resolved.missing ? null : numericValue(resolved.value);
    if (n !== null) values.push(n);
  }
  return values;
}

export function isHuman(e: FactEvent): boolean {
  return e.flags?.machineOpen !== true && e.flags?.bot !== true;
}
