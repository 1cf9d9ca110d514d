import type { JourneyEvent, JsonObject, ProfileSnapshot } from '../../src/journeys/run-types';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const T0 = Date.parse('2026-01-05T10:00:00Z');

let counter = 0;

export function event(
  type: string,
  properties: JsonObject = {},
  at = T0,
  id?: string,
): JourneyEvent {
  counter += 1;
  return {
    id: id ?? `evt-${type}-${counter}`,
    type,
    customerId: 'cust-1',
    occurredAt: new Date(at).toISOString(),
    properties,
  };
}

export function profile(fields: Record<string, JsonObject[string]> = {}): ProfileSnapshot {
  return { id: 'cust-1', timeZone: null, ...fields };
}
