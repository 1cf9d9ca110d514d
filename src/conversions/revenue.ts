import type { JsonObject, JsonValue } from '../journeys/run-types';

/**
 * Reads a goal event's revenue and currency. The revenue path points into the event's properties
 * ("event.properties.order.total", or "properties.order.total"); the currency is always
 * properties.currency. A missing revenue is 0 and a missing currency null; a value that is there
 * but is not an amount or a currency code is refused (never silently counted as 0).
 */

export const DEFAULT_REVENUE_PATH = 'event.properties.revenue';

/** Large enough for any order, small enough that ten-thousandths stay exact integers. */
export const MAX_REVENUE = 100_000_000_000;

export interface EventRevenue {
  revenue: number;
  currency: string | null;
}

/** Names the field and the rule it broke, never the value. */
export class RevenueError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = 'RevenueError';
  }
}

const PATH = /^(event\.)?properties(\.[A-Za-z0-9_]+)+$/;
const DECIMAL = /^\d{1,12}(\.\d{1,10})?$/;
const CURRENCY = /^[A-Za-z]{3}$/;

export function readRevenue(
  properties: JsonObject,
  revenuePath: string = DEFAULT_REVENUE_PATH,
): EventRevenue {
  if (!PATH.test(revenuePath)) {
    throw new RevenueError(
      'revenuePath',
      'must point into the goal event\'s properties, e.g. "event.properties.revenue"',
    );
  }
  const keys = revenuePath.split('.').slice(revenuePath.startsWith('event.') ? 2 : 1);
  return {
    revenue: toAmount(revenuePath, valueAt(properties, keys)),
    currency: toCurrency(properties.currency),
  };
}

function valueAt(properties: JsonObject, keys: string[]): JsonValue | undefined {
  let current: JsonValue | undefined = properties;
  for (const key of keys) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = Object.hasOwn(current, key) ? current[key] : undefined;
  }
  return current;
}

function toAmount(path: string, value: JsonValue | undefined): number {
  if (value === undefined || value === null) return 0;
  const amount = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) {
    throw new RevenueError(path, 'must be a number (or a decimal string)');
  }
  if (amount < 0 || amount > MAX_REVENUE) {
    throw new RevenueError(path, `must be between 0 and ${MAX_REVENUE}`);
  }
  return amount;
}

function toCurrency(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !CURRENCY.test(value)) {
    throw new RevenueError('event.properties.currency', 'must be a three-letter currency code');
  }
  return value.toUpperCase();
}
