import { sameValue } from './conditions';
import { resolveField, type FieldScope } from './field-paths';
import type { JourneyEvent } from './run-types';
import type { EventMatch, ReEntry } from './schema';

/** Where a match without `equals` compares: the run key of a keyed journey, else nowhere. */
export function matchTarget(match: EventMatch, reEntry: ReEntry | undefined): string | undefined {
  if (match.equals !== undefined) return match.equals;
  return reEntry?.mode === 'keyed' ? `context.${reEntry.key}` : undefined;
}

/**
 * Why the event is not about the value the match names, or null when it is. A missing value on
 * either side never matches: an event that does not say which cart it is about is not about
 * this run's cart.
 */
export function matchMismatch(
  match: EventMatch,
  reEntry: ReEntry | undefined,
  event: JourneyEvent,
  scope: FieldScope,
): string | null {
  const target = matchTarget(match, reEntry);
  if (target === undefined) return `there is no run key to compare ${match.key} with`;
  const expected = resolveField(target, scope);
  if (expected.missing) return `${target} is missing, so no event can match`;
  const actual = event.properties[match.key];
  if (actual === undefined) return `event lacks property ${match.key}`;
  return sameValue(actual, expected.value) ? null : `${match.key} does not equal ${target}`;
}
