/**
 * The identifiers a source knows a person by. Every one of them maps to one customer
 * (src/identity/resolve-customer.ts).
 */
export interface Identifiers {
  userId?: string;
  anonymousId?: string;
  email?: string;
  phone?: string;
  /** source → that source's id for the person (crm → "C-1042"). */
  external?: Record<string, string>;
}

/** The kinds of identifier the merge rules speak about; external ids count per source. */
export const IDENTIFIER_TYPES = ['userId', 'anonymousId', 'email', 'phone', 'external'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

/** One identifier as it is stored: type (`external:<source>` for external ids) and value. */
export interface IdentifierKey {
  type: string;
  value: string;
}

/** The rule type of a stored identifier type: `external:crm` is an `external`. */
export function ruleTypeOf(storedType: string): IdentifierType {
  return storedType.startsWith('external:') ? 'external' : (storedType as IdentifierType);
}

/** The stored form of an external id's type. */
export function externalType(source: string): string {
  return `external:${source}`;
}
