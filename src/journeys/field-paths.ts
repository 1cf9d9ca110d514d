import type { JourneyEvent, JsonObject, JsonValue, ProfileSnapshot } from './run-types';

/**
 * What a field path can read: profile.*, trigger.*, event.*, context.*, engagement.*, scores.*
 * and segments.<id>, which reads the membership list of `profile` (MEMBERSHIP_FIELD): a member
 * reads true, a non-member false, and a profile without the list (none loaded, a preview's
 * described profile) leaves it missing, so no condition on it passes.
 */
export interface FieldScope {
  profile?: ProfileSnapshot | null;
  trigger?: JourneyEvent | null;
  event?: JourneyEvent | null;
  context?: JsonObject;
  /** What the customer did with this run's messages: engagement.<stepId>.opened / .clicked. */
  engagement?: JsonObject;
  /** The customer's scores (src/scores) as the profile was loaded: scores.engagement. */
  scores?: JsonObject;
}

/**
 * The value at a path. `missing` means the path leads nowhere (an absent root, key or index);
 * a present null is a value (`missing: false, value: null`), so "explicitly cleared" and
 * "never set" stay distinguishable.
 */
export type Resolved = { missing: true; value: undefined } | { missing: false; value: JsonValue };

const MISSING: Resolved = { missing: true, value: undefined };

const ROOTS = new Set([
  'profile',
  'trigger',
  'event',
  'context',
  'engagement',
  'segments',
  'scores',
]);

/**
 * Where a profile snapshot keeps the ids of the segments the customer is a member of. No
 * profile.* path can name it (field paths are letters, digits and _), so it never shadows an
 * attribute and is read only as segments.<id>.
 */
export const MEMBERSHIP_FIELD = '$segments';

export function resolveField(path: string, scope: FieldScope): Resolved {
  const [root, ...rest] = path.split('.');
  if (root === undefined || !ROOTS.has(root) || rest.length === 0) {
    throw new Error(
      `invalid field path "${path}": must start with profile., trigger., event., context., engagement., segments. or scores.`,
    );
  }
  if (root === 'segments') return membership(rest, scope.profile);
  let current: unknown = scope[root as keyof FieldScope];
  for (const segment of rest) {
    current = child(current, segment);
    if (current === undefined) return MISSING;
  }
  return current === undefined ? MISSING : { missing: false, value: current as JsonValue };
}

function membership(rest: string[], profile: ProfileSnapshot | null | undefined): Resolved {
  const members = profile?.[MEMBERSHIP_FIELD];
  if (rest.length !== 1 || !Array.isArray(members)) return MISSING;
  return { missing: false, value: members.includes(rest[0]!) };
}

function child(parent: unknown, segment: string): unknown {
  if (parent === null || parent === undefined || typeof parent !== 'object') return undefined;
  if (Array.isArray(parent)) {
    // Array elements by index ("items.0.sku"): the only reading of a numeric segment on an array.
    return /^\d+$/.test(segment) ? parent[Number(segment)] : undefined;
  }
  return Object.prototype.hasOwnProperty.call(parent, segment)
    ? (parent as Record<string, unknown>)[segment]
    : undefined;
}
