import type { SpecMessage } from '../contract/spec-calls';
import { isIanaTimeZone, localeSchema } from '../contract/common';
import type { CustomerChange } from '../customers';
import { specEventType } from '../journeys/event-names';
import type { JsonObject, JsonValue } from '../journeys/run-types';
import { messageTime } from './message-time';

/**
 * What one Segment-spec call does to Cairn, decided without I/O: who it is about, the profile
 * change its traits make, the event it stores, the identities it links. apply-spec-calls.ts
 * carries it out.
 */
export interface SpecEffect {
  messageId: string;
  type: SpecMessage['type'];
  userId?: string;
  anonymousId?: string;
  /** alias: the earlier id (an anonymousId or a former userId) that is now `userId`. */
  previousId?: string;
  profile?: CustomerChange;
  event?: { type: string; occurredAt: string; properties: JsonObject };
}

/** A batch's own sentAt, context and integrations, which its messages inherit. */
export interface BatchDefaults {
  sentAt?: string | undefined;
  context?: Record<string, unknown> | undefined;
}

export function specEffect(
  message: SpecMessage,
  defaults: BatchDefaults,
  receivedAt: Date,
  newMessageId: () => string,
): SpecEffect {
  const context = { ...defaults.context, ...message.context };
  const occurredAt = boundedTime(
    messageTime({ ...message, sentAt: message.sentAt ?? defaults.sentAt }, receivedAt),
  ).toISOString();
  const who = {
    messageId: message.messageId ?? newMessageId(),
    type: message.type,
    ...(message.userId !== undefined ? { userId: message.userId } : {}),
    ...(message.anonymousId !== undefined ? { anonymousId: message.anonymousId } : {}),
  };
  switch (message.type) {
    case 'identify':
      return { ...who, profile: traitChange((message.traits ?? {}) as JsonObject, context) };
    case 'group':
      return {
        ...who,
        profile: {
          attributes: { group_id: message.groupId, group: snakeKeys(message.traits ?? {}) },
        },
      };
    case 'alias':
      return { ...who, previousId: message.previousId };
    case 'track':
      return { ...who, event: event(specEventType(message.event), occurredAt, message.properties) };
    case 'page':
    case 'screen':
      return {
        ...who,
        event: event(message.type === 'page' ? 'page_view' : 'screen_view', occurredAt, {
          ...message.properties,
          ...(message.name !== undefined ? { name: message.name } : {}),
          ...(message.category !== undefined ? { category: message.category } : {}),
        }),
      };
  }
}

function event(type: string, occurredAt: string, properties: JsonObject | undefined) {
  return { type, occurredAt, properties: properties ?? {} };
}

/** Reserved traits that are profile fields, not attributes (id is the userId itself). */
const PROFILE_TRAITS = new Set(['email', 'phone', 'id']);

/**
 * Traits as a profile change: email and phone are the profile's own fields (checked by the
 * schema), the device's zone and locale fill those fields, every other trait is an attribute under
 * its snake_case name (firstName → first_name, the names Cairn's templates use). A trait set to
 * null removes it, as in PUT /v1/customers/{id}. Consent is never taken from traits.
 */
export function traitChange(traits: JsonObject, context: Record<string, unknown>): CustomerChange {
  const change: CustomerChange = {};
  if (typeof traits.email === 'string' || traits.email === null)
    change.email = traits.email === null ? null : traits.email.toLowerCase();
  if (typeof traits.phone === 'string' || traits.phone === null) change.phone = traits.phone;
  const zone = context.timezone;
  if (typeof zone === 'string' && isIanaTimeZone(zone)) change.timeZone = zone;
  const locale = context.locale;
  if (typeof locale === 'string' && localeSchema.safeParse(locale).success) change.locale = locale;
  const attributes = snakeKeys(
    Object.fromEntries(Object.entries(traits).filter(([name]) => !PROFILE_TRAITS.has(name))),
  );
  if (Object.keys(attributes).length > 0) change.attributes = attributes;
  return change;
}

export function snakeKeys(values: JsonObject): Record<string, JsonValue> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [snakeName(name), value]),
  );
}

/** firstName → first_name, "Plan Type" → plan_type; a name already in snake_case stays. */
export function snakeName(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();
  return snake.length > 0 ? snake : name;
}

const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** A skew correction of absurd times cannot leave the range Postgres stores. */
function boundedTime(at: Date): Date {
  const ms = at.getTime();
  return new Date(Number.isNaN(ms) ? LATEST : Math.min(LATEST, Math.max(EARLIEST, ms)));
}
