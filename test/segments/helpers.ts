import type { JsonObject } from '../../src/journeys/run-types';
import type { CustomerFacts, FactEvent } from '../../src/segments/customer-facts';
import {
  segmentConditionSchema,
  type SegmentCondition,
  type SegmentConditionInput,
} from '../../src/segments/schema';

export const DAY = 86_400_000;
export const NOW = Date.parse('2026-03-01T12:00:00.000Z');

export function facts(partial: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    profile: {
      id: 'c1',
      timeZone: null,
      locale: null,
      hasEmail: true,
      hasPhone: false,
      consent: {},
    },
    events: [],
    email: { present: true, suppressed: false },
    sms: { present: false, suppressed: false },
    pushTokens: [],
    consent: {},
    topics: {},
    segments: new Set(),
    lifecycleStage: null,
    ...partial,
  };
}

export function event(
  type: string,
  daysAgo: number,
  properties: JsonObject = {},
  flags: JsonObject | null = null,
): FactEvent {
  return { type, occurredAt: NOW - daysAgo * DAY, properties, flags };
}

export const condition = (input: SegmentConditionInput): SegmentCondition =>
  segmentConditionSchema.parse(input);
