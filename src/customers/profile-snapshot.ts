import type { Consent } from '../db/schema';
import { MEMBERSHIP_FIELD } from '../journeys/field-paths';
import type { JsonObject, ProfileSnapshot } from '../journeys/run-types';

/**
 * The one definition of the profile that conditions see — at routing, at an explicit start, when
 * a run loads its profile, and in a preview — so a trigger condition gets the same answer
 * everywhere. The snapshot travels in Temporal history (workflow input and activity results),
 * which is durable storage: contact data stays out of it. Conditions see hasEmail/hasPhone; the
 * send activity reads the address itself.
 */

/** Built-in snapshot fields: attributes may neither shadow nor set them. */
export const BUILT_IN_PROFILE_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'timeZone',
  'locale',
  'hasEmail',
  'hasPhone',
  'consent',
  'last_engaged_at',
  // scores.<id> in conditions (src/scores), decayed when the snapshot is built.
  'scores',
  // Computed by the router from the stage rules (src/lifecycle/stages.ts), never set.
  'lifecycle_stage',
  // Never in the snapshot; reserved so an attribute cannot smuggle an address into history.
  'email',
  'phone',
  // The segments the customer is in (segments.<id> in conditions), never an attribute's.
  MEMBERSHIP_FIELD,
]);

/** What a snapshot is built from: a stored customer, or a profile described in a preview. */
export interface ProfileSource {
  id: string;
  timeZone: string | null;
  locale: string | null;
  hasEmail: boolean;
  hasPhone: boolean;
  consent: Consent;
  attributes: JsonObject;
  /** The customer's last open, click or read; absent from the snapshot when there is none. */
  lastEngagedAt: Date | null;
  /**
   * The ids of the segments the customer is a member of now; absent when not known (a profile a
   * preview describes), so conditions on segments.<id> find it missing rather than false.
   */
  segments?: readonly string[];
  /** Every score's value when the snapshot was built; a stored customer's always has them. */
  scores?: Record<string, number>;
  /** The customer's stored lifecycle stage; absent from the snapshot when there is none. */
  lifecycleStage?: string | null;
}

export function toProfileSnapshot(source: ProfileSource): ProfileSnapshot {
  // fromEntries defines own properties, so even an attribute named __proto__ stays plain data.
  const attributes: JsonObject = Object.fromEntries(
    Object.entries(source.attributes).filter(([name]) => !BUILT_IN_PROFILE_FIELDS.has(name)),
  );
  return {
    ...attributes,
    id: source.id,
    timeZone: source.timeZone,
    locale: source.locale,
    hasEmail: source.hasEmail,
    hasPhone: source.hasPhone,
    consent: { ...source.consent },
    // "No engagement in the last N days" is profile.last_engaged_at older_than 30d; a customer who
    // never engaged has no such field, which a journey says with exists: false.
    ...(source.lastEngagedAt ? { last_engaged_at: source.lastEngagedAt.toISOString() } : {}),
    ...(source.segments ? { [MEMBERSHIP_FIELD]: [...source.segments] } : {}),
    ...(source.scores ? { scores: { ...source.scores } } : {}),
    ...(source.lifecycleStage ? { lifecycle_stage: source.lifecycleStage } : {}),
  };
}
