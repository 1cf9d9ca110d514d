import type { JourneyEvent, JsonObject, JsonValue, ProfileSnapshot } from './run-types';

/** What a field path can read: profile.*, trigger.*, event.*, context.*, engagement.*, scores.* */
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

const ROOTS = new Set(['profile', 'trigger', 'event', 'context', 'engagement', 'scores']);

export function resolveField(path: string, scope: FieldScope): Resolved {
  const [root, ...rest] = path.split('.');
  if (root === undefined || !ROOTS.has(root) || rest.length === 0) {
    throw new Error(
      `invalid field path "${path}": must start with profile., trigger., event., context., engagement. or scores.`,
    );
  }
  let current: unknown = scope[root as keyof FieldScope];
  for (const segment of rest) {
    current = child(current, segment);
    if (current === undefined) return MISSING;
  }
  return current === undefined ? MISSING : { missing: false, value: current as JsonValue };
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
