import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers, type Consent, type ConsentState } from '../db/schema';
import { lockConsentForChange } from '../guardrails/consent-gate';
import type { JsonObject, JsonValue } from '../journeys/run-types';
import { builtInProfileRules } from '../lifecycle/profile-rules';

/** A profile's mergeable fields as a merge records them (to restore them on an unmerge). */
export interface ProfileFields {
  email: string | null;
  phone: string | null;
  timeZone: string | null;
  locale: string | null;
  attributes: JsonObject;
  consent: Consent;
}

export interface ProfileMergeRecord {
  from: ProfileFields;
  into: ProfileFields;
  merged: ProfileFields;
}

const CHANNELS = ['email', 'sms', 'push'] as const;
const SCALARS = ['email', 'phone', 'timeZone', 'locale'] as const;
const STRICTNESS: Record<ConsentState | 'none', number> = { none: 0, opted_in: 1, opted_out: 2 };

/** Per channel, the stricter choice: opted_out beats opted_in beats no choice. */
export function stricterConsent(a: Consent, b: Consent): Consent {
  const merged: Consent = {};
  for (const channel of CHANNELS) {
    const [x, y] = [a[channel], b[channel]];
    const strict = STRICTNESS[x ?? 'none'] >= STRICTNESS[y ?? 'none'] ? x : y;
    if (strict) merged[channel] = strict;
  }
  return merged;
}

const isBlank = (value: JsonValue | undefined) =>
  value === undefined || value === null || value === '';

/**
 * The survivor's attributes with blanks filled from the merged customer's; attributes kept by
 * profile rules (src/lifecycle) combine as the rule does: sums and counts add (each customer's
 * events counted once: their rule applications move with them), latest times take the later.
 */
export function mergedAttributes(into: JsonObject, from: JsonObject): JsonObject {
  const merged: JsonObject = { ...into };
  for (const [name, value] of Object.entries(from)) {
    if (isBlank(merged[name])) merged[name] = value;
  }
  for (const rule of builtInProfileRules) {
    const [a, b] = [into[rule.attribute], from[rule.attribute]];
    if (isBlank(a) || isBlank(b)) continue;
    if (rule.update.kind === 'latest_time' && typeof a === 'string' && typeof b === 'string') {
      merged[rule.attribute] = Date.parse(a) >= Date.parse(b) ? a : b;
    } else if (
      rule.update.kind !== 'latest_time' &&
      typeof a === 'number' &&
      typeof b === 'number'
    ) {
      merged[rule.attribute] = a + b;
    }
  }
  return merged;
}

function fieldsOf(row: typeof customers.$inferSelect): ProfileFields {
  const { email, phone, timeZone, locale, attributes, consent } = row;
  return { email, phone, timeZone, locale, attributes, consent };
}

/**
 * Merges the merged-away customer's profile into the survivor's: the survivor's non-empty
 * values win and blanks are filled, consent is the stricter per channel. Both consent gates are
 * taken (sends of either wait). The merged-away row is left as it was, for an unmerge.
 */
export async function mergeProfiles(
  db: Database,
  from: string,
  into: string,
): Promise<ProfileMergeRecord> {
  await lockConsentForChange(db, from);
  await lockConsentForChange(db, into);
  const [a, b] = await Promise.all([lockedRow(db, from), lockedRow(db, into)]);
  const [fromFields, intoFields] = [fieldsOf(a), fieldsOf(b)];
  const merged: ProfileFields = {
    email: intoFields.email ?? fromFields.email,
    phone: intoFields.phone ?? fromFields.phone,
    timeZone: intoFields.timeZone ?? fromFields.timeZone,
    locale: intoFields.locale ?? fromFields.locale,
    attributes: mergedAttributes(intoFields.attributes, fromFields.attributes),
    consent: stricterConsent(intoFields.consent, fromFields.consent),
  };
  await writeFields(db, into, merged);
  // The sources that wrote either profile wrote the survivor's (an unmerge leaves them).
  await db
    .update(customers)
    .set({ sources: [...new Set([...b.sources, ...a.sources])] })
    .where(eq(customers.id, into));
  return { from: fromFields, into: intoFields, merged };
}

/**
 * Undoes mergeProfiles: each customer gets back what it had, except what changed on the
 * survivor since the merge, which the survivor keeps; and an opt-out given since stays on both
 * (fail closed: the person said no, whichever of the two they are).
 */
export async function restoreProfiles(
  db: Database,
  from: string,
  into: string,
  record: ProfileMergeRecord,
): Promise<void> {
  await lockConsentForChange(db, from);
  await lockConsentForChange(db, into);
  const now = fieldsOf(await lockedRow(db, into));
  const restored: ProfileFields = { ...record.into, attributes: {}, consent: {} };
  for (const field of SCALARS) {
    if (now[field] !== record.merged[field]) restored[field] = now[field];
  }
  restored.attributes = restoredAttributes(now.attributes, record);
  const fromConsent = { ...record.from.consent };
  for (const channel of CHANNELS) {
    const [current, merged] = [now.consent[channel], record.merged.consent[channel]];
    const changed = current !== merged;
    const value = changed ? current : record.into.consent[channel];
    if (value) restored.consent[channel] = value;
    if (changed && current === 'opted_out') fromConsent[channel] = 'opted_out';
  }
  await writeFields(db, into, restored);
  await writeFields(db, from, { ...record.from, consent: fromConsent });
}

function restoredAttributes(now: JsonObject, record: ProfileMergeRecord): JsonObject {
  const restored: JsonObject = {};
  const names = new Set([...Object.keys(now), ...Object.keys(record.into.attributes)]);
  for (const name of names) {
    const same = JSON.stringify(now[name]) === JSON.stringify(record.merged.attributes[name]);
    const value = same ? record.into.attributes[name] : now[name];
    if (value !== undefined) restored[name] = value;
  }
  return restored;
}

async function lockedRow(db: Database, id: string) {
  const [row] = await db.select().from(customers).where(eq(customers.id, id)).for('update');
  if (!row) throw new Error('customer to merge not found');
  return row;
}

async function writeFields(db: Database, id: string, fields: ProfileFields): Promise<void> {
  await db
    .update(customers)
    .set({ ...fields, updatedAt: sql`now()` })
    .where(eq(customers.id, id));
}
