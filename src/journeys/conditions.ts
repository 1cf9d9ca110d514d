import { parseDuration } from './durations';
import { resolveField, type FieldScope } from './field-paths';
import type { ConditionOutcome, JsonValue } from './run-types';
import type { Condition, ConditionGroup } from './schema';

/**
 * Condition semantics (the rules a journey author can rely on):
 *
 * - A missing field never passes silently. Every operator fails on a missing field, including
 *   `ne` and `not_in`; only `exists: false` passes. The outcome says `missing: true`. To mean
 *   "absent or different", write a group with match "any" and an `exists: false` condition.
 * - null is a value, not a missing field: `ne`/`not_in` pass on null, `exists` treats null as
 *   absent (`exists: true` fails and `exists: false` passes on null).
 * - Equality (eq, ne, in, not_in, contains on arrays) is strict, with one coercion: a number and
 *   a numeric string ("42", "-1.5") compare as numbers, because event properties often arrive
 *   as strings. Booleans are never coerced ("true" is not true).
 * - gt/gte/lt/lte compare numbers only (numeric strings are coerced as above); any other value
 *   fails. Strings are never ordered, so "10" < "9" surprises cannot happen.
 * - contains: substring for a string field (case-sensitive), membership for an array field.
 * - within / older_than read an ISO-8601 timestamp or epoch milliseconds. age = now - time;
 *   within passes when age <= duration (a timestamp slightly in the future counts as within),
 *   older_than when age > duration. An unparseable timestamp fails.
 */

export interface ConditionsResult {
  passed: boolean;
  outcomes: ConditionOutcome[];
}

export function evaluateConditionGroup(
  group: ConditionGroup,
  scope: FieldScope,
  now: number,
): ConditionsResult {
  // Every condition is evaluated (no short circuit) so the trace shows the full picture.
  const outcomes = group.conditions.map((condition) => evaluateCondition(condition, scope, now));
  const match = group.match ?? 'all';
  const passed = match === 'all' ? outcomes.every((o) => o.passed) : outcomes.some((o) => o.passed);
  return { passed, outcomes };
}

export function evaluateCondition(
  condition: Condition,
  scope: FieldScope,
  now: number,
): ConditionOutcome {
  const resolved = resolveField(condition.field, scope);
  const expected = (condition.value ?? true) as JsonValue;
  const base = { field: condition.field, op: condition.op, expected };
  if (resolved.missing) {
    const passed = condition.op === 'exists' && condition.value === false;
    return { ...base, actual: null, missing: true, passed };
  }
  const actual = resolved.value;
  return { ...base, actual, missing: false, passed: test(condition, actual, now) };
}

function test(condition: Condition, actual: JsonValue, now: number): boolean {
  switch (condition.op) {
    case 'eq':
      return sameValue(actual, condition.value);
    case 'ne':
      return !sameValue(actual, condition.value);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compareNumbers(condition.op, actual, condition.value);
    case 'contains':
      return contains(actual, condition.value);
    case 'in':
      return condition.value.some((v) => sameValue(actual, v));
    case 'not_in':
      return !condition.value.some((v) => sameValue(actual, v));
    case 'exists':
      return (actual !== null) === (condition.value ?? true);
    case 'within':
    case 'older_than':
      return compareAge(condition.op, actual, condition.value, now);
  }
}

/** Strict equality, except that numbers and numeric strings compare as numbers. */
export function sameValue(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (typeof a === typeof b && (typeof a !== 'object' || a === null || b === null)) return a === b;
  const na = asNumber(a);
  const nb = asNumber(b);
  return (
    na !== null && nb !== null && (typeof a === 'number' || typeof b === 'number') && na === nb
  );
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

function asNumber(value: JsonValue): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  return null;
}

function compareNumbers(
  op: 'gt' | 'gte' | 'lt' | 'lte',
  actual: JsonValue,
  expected: JsonValue,
): boolean {
  const a = asNumber(actual);
  const b = asNumber(expected);
  if (a === null || b === null) return false;
  if (op === 'gt') return a > b;
  if (op === 'gte') return a >= b;
  if (op === 'lt') return a < b;
  return a <= b;
}

function contains(actual: JsonValue, expected: JsonValue): boolean {
  if (typeof actual === 'string') return typeof expected === 'string' && actual.includes(expected);
  if (Array.isArray(actual)) return actual.some((item) => sameValue(item, expected));
  return false;
}

function compareAge(
  op: 'within' | 'older_than',
  actual: JsonValue,
  duration: string,
  now: number,
): boolean {
  const time = asTimestamp(actual);
  if (time === null) return false;
  const age = now - time;
  return op === 'within' ? age <= parseDuration(duration) : age > parseDuration(duration);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Epoch ms for an ISO-8601 timestamp or a number of epoch ms; null for anything else.
 * A date-time without an offset is read as UTC.
 */
export function asTimestamp(value: JsonValue): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  // A date-time without a zone would be read in the machine's zone; journeys read it as UTC.
  const ms = Date.parse(match[1] !== undefined && match[4] === undefined ? `${value}Z` : value);
  return Number.isNaN(ms) ? null : ms;
}
