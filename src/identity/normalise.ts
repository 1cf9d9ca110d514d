import type { IdentifierKey, Identifiers } from './identifiers';
import { externalType, ruleTypeOf } from './identifiers';
import type { MergeRules } from './merge-rules';

/** An identifier left out of resolution, and why (never its value: it may be an email). */
export interface IgnoredIdentifier {
  type: string;
  reason: 'never_merge_value';
}

const PHONE_SEPARATORS = /[\s\-().]/g;
// "0", "0000", "00000000-0000-0000-0000-000000000000": placeholder ids, never a person.
const ALL_ZEROS = /^[0\-_.:\s]+$/;

/**
 * The form identifiers are compared in: email trimmed and lower-cased; phone without separators
 * and with a leading 00 read as +; every other id trimmed (ids are case-sensitive).
 */
export function normaliseValue(type: string, value: string): string {
  const trimmed = value.trim();
  if (type === 'email') return trimmed.toLowerCase();
  if (type === 'phone') {
    const compact = trimmed.replace(PHONE_SEPARATORS, '');
    return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  }
  return trimmed;
}

/**
 * A value that names nobody in particular (empty, "null", "anonymous", all zeros, and the rules'
 * own list, compared case-insensitively): it never resolves or merges a customer.
 */
export function isNeverMergeValue(value: string, rules: MergeRules): boolean {
  if (value === '' || ALL_ZEROS.test(value)) return true;
  const lower = value.toLowerCase();
  return rules.neverMerge.some((junk) => junk.toLowerCase() === lower);
}

/**
 * The identifiers as stored keys, normalised, in the rules' priority order (the first decides
 * when they disagree); values that never merge are left out and listed.
 */
export function identifierKeys(
  ids: Identifiers,
  rules: MergeRules,
): { keys: IdentifierKey[]; ignored: IgnoredIdentifier[] } {
  const given: IdentifierKey[] = [];
  const push = (type: string, value: string | undefined) => {
    if (typeof value === 'string') given.push({ type, value: normaliseValue(type, value) });
  };
  push('userId', ids.userId);
  push('anonymousId', ids.anonymousId);
  push('email', ids.email);
  push('phone', ids.phone);
  for (const [source, value] of Object.entries(ids.external ?? {})) {
    push(externalType(source.trim()), value);
  }
  const ignored: IgnoredIdentifier[] = [];
  const keys = given.filter((key) => {
    const junk = isNeverMergeValue(key.value, rules);
    if (junk) ignored.push({ type: key.type, reason: 'never_merge_value' });
    return !junk;
  });
  const rank = (key: IdentifierKey) => rules.priority.indexOf(ruleTypeOf(key.type));
  return { keys: keys.sort((a, b) => rank(a) - rank(b)), ignored };
}
