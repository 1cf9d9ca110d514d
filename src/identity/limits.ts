import { ruleTypeOf, type IdentifierKey } from './identifiers';
import type { MergeRules } from './merge-rules';

/**
 * The first stored identifier type (in the order given) of which these identifiers, taken as one
 * customer's, hold more than the rules allow, or null. external ids count per source.
 */
export function limitBreach(rules: MergeRules, keys: readonly IdentifierKey[]): string | null {
  const counts = new Map<string, Set<string>>();
  for (const key of keys) {
    const values = counts.get(key.type) ?? new Set<string>();
    values.add(key.value);
    counts.set(key.type, values);
  }
  for (const [type, values] of counts) {
    if (values.size > rules.limits[ruleTypeOf(type)]) return type;
  }
  return null;
}

/** The rule reason recorded when a limit stops a merge or an identifier: `limit:<type>`. */
export const limitReason = (storedType: string) => `limit:${ruleTypeOf(storedType)}`;
