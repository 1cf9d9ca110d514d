import type { JourneyEvent, JsonObject } from '../journeys/run-types';

/** A stored event as journeys see it. */
export function toJourneyEvent(row: {
  id: string;
  type: string;
  customerId: string;
  occurredAt: Date;
  properties: JsonObject;
}): JourneyEvent {
  return {
    id: row.id,
    type: row.type,
    customerId: row.customerId,
    occurredAt: row.occurredAt.toISOString(),
    properties: row.properties,
  };
}
