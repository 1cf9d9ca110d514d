import { messagesOf } from '../../src/journeys/send-plan';
import type { EmailContent, Step } from '../../src/journeys/schema';
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

/** The templates of a send step, whatever its channels: every string a template may hold. */
export function templatesOf(step: Step): string[] {
  if (step.type !== 'send') return [];
  return messagesOf(step).flatMap((message) =>
    [message, ...(message.fallback ? [message.fallback] : [])].flatMap((m) =>
      Object.values(m.content).filter((value): value is string => typeof value === 'string'),
    ),
  );
}

/** The email content of a single-message email step (fails the test otherwise). */
export function emailOf(step: Step | undefined): EmailContent {
  if (step?.type !== 'send' || step.channel !== 'email') throw new Error('not an email step');
  return step.content as unknown as EmailContent;
}
