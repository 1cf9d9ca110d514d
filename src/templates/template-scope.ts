import type { JourneyEvent, JsonObject, JsonValue } from '../journeys/run-types';

/**
 * What a template can read. Every root is always present; a path below a root that is absent is a
 * render error (strict mode), so a template never silently prints blank text.
 */
export interface TemplateScope {
  /** The customer, read fresh at send time: id, email, locale, timeZone and the flattened attributes. */
  profile: JsonObject & { id: string };
  /** The properties of the event that started the run (trigger.cart_items, trigger.cart_total, ...). */
  trigger: JsonObject;
  /** Values set during the run. */
  context: JsonObject;
  company: { name: string };
  links: Record<string, string>;
}

/** The customer row as the send path reads it. */
export interface TemplateProfileSource {
  id: string;
  email: string | null;
  phone: string | null;
  timeZone: string | null;
  locale: string | null;
  attributes: JsonObject;
}

export interface TemplateScopeConfig {
  companyName: string;
  links: Record<string, string>;
  /** Used as profile.timeZone when the customer has none, so date formatting is defined. */
  defaultTimeZone: string;
}

export function buildTemplateScope(
  profile: TemplateProfileSource,
  trigger: JsonObject | JourneyEvent | null | undefined,
  context: JsonObject | null | undefined,
  config: TemplateScopeConfig,
): TemplateScope {
  return {
    profile: profileScope(profile, config.defaultTimeZone),
    trigger: triggerProperties(trigger),
    context: context ?? {},
    company: { name: config.companyName },
    links: { ...config.links },
  };
}

function profileScope(
  profile: TemplateProfileSource,
  defaultTimeZone: string,
): JsonObject & { id: string } {
  // Known fields win over attributes of the same name; absent fields stay absent so that strict
  // rendering reports them instead of printing an empty string.
  const known: JsonObject = { timeZone: profile.timeZone ?? defaultTimeZone };
  if (profile.email) known.email = profile.email;
  if (profile.phone) known.phone = profile.phone;
  if (profile.locale) known.locale = profile.locale;
  return { ...profile.attributes, ...known, id: profile.id };
}

/**
 * Accepts either the trigger event's properties or the whole event, so the caller may pass the
 * run's trigger as it holds it; templates always see the properties.
 */
function triggerProperties(trigger: JsonObject | JourneyEvent | null | undefined): JsonObject {
  if (!trigger) return {};
  if (isJourneyEvent(trigger)) return trigger.properties;
  return trigger;
}

function isJourneyEvent(value: JsonObject | JourneyEvent): value is JourneyEvent {
  const candidate = value as { [key: string]: JsonValue | undefined };
  return (
    typeof candidate.type === 'string' &&
    typeof candidate.occurredAt === 'string' &&
    typeof candidate.properties === 'object' &&
    candidate.properties !== null &&
    !Array.isArray(candidate.properties)
  );
}
