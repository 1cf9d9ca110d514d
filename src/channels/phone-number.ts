/** A phone number in E.164 form: "+", a country code that does not start with 0, 8–15 digits. */
export type E164 = string & { readonly __brand: 'E164' };

export type PhoneNumberResult =
  { ok: true; number: E164 } | { ok: false; reason: PhoneNumberProblem };

export type PhoneNumberProblem = 'empty' | 'missing_plus' | 'invalid_characters' | 'invalid_length';

/** Reasons in words, for error messages that name the problem and never the number. */
export const PHONE_NUMBER_PROBLEMS: Record<PhoneNumberProblem, string> = {
  empty: 'is empty',
  missing_plus: 'must start with "+" and a country code (E.164, e.g. "+14155550100")',
  invalid_characters:
    'may contain only digits after "+" (spaces, dashes and parentheses are ignored)',
  invalid_length: 'must have 8 to 15 digits after "+", the first not 0',
};

const SEPARATORS = /[\s\-()]/g;
const E164_PATTERN = /^\+[1-9]\d{7,14}$/;

/**
 * Normalises what people type ("+1 (415) 555-0100") to E.164 ("+14155550100"). Only
 * separators are removed; no country is guessed, so a number without "+" is refused.
 */
export function parsePhoneNumber(input: string): PhoneNumberResult {
  const compact = input.replace(SEPARATORS, '');
  if (compact === '') return { ok: false, reason: 'empty' };
  if (!compact.startsWith('+')) return { ok: false, reason: 'missing_plus' };
  if (!/^\+\d+$/.test(compact)) return { ok: false, reason: 'invalid_characters' };
  if (!E164_PATTERN.test(compact)) return { ok: false, reason: 'invalid_length' };
  return { ok: true, number: compact as E164 };
}

export function isE164(value: string): value is E164 {
  return E164_PATTERN.test(value);
}

/** Thrown by requireE164; the message names the field and the reason, never the number. */
export class InvalidPhoneNumberError extends Error {
  override readonly name = 'InvalidPhoneNumberError';

  constructor(
    readonly field: string,
    readonly reason: PhoneNumberProblem,
  ) {
    super(`${field} ${PHONE_NUMBER_PROBLEMS[reason]}`);
  }
}

export function requireE164(input: string, field = 'phone'): E164 {
  const result = parsePhoneNumber(input);
  if (!result.ok) throw new InvalidPhoneNumberError(field, result.reason);
  return result.number;
}
