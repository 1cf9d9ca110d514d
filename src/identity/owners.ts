import { randomUUID } from 'node:crypto';
import { customersWithAddress, existingCustomerIds } from '../customers';
import type { Database } from '../db/database';
import { findIdentifiers } from './identifier-rows';
import type { IdentifierKey } from './identifiers';
import { survivorOf } from './survivors';

/** Each key with the customer it points at now (null: nobody yet), in the keys' order. */
export interface OwnedKey {
  key: IdentifierKey;
  owner: string | null;
  /** Whether the key is stored in customer_identifiers (not only found on a profile). */
  stored: boolean;
}

/** The customer id an anonymous visitor gets: derived, so two first events agree on it. */
export const anonymousCustomerId = (anonymousId: string) => `anon:${anonymousId}`;

/**
 * Who each key points at: its stored identifier; else, for a userId or an anonymousId, the
 * customer of that id if it exists (created by PUT /v1/customers/:id); else, for an email or a
 * phone, the one profile that has it. Every owner is followed to its survivor.
 */
export async function ownersOf(db: Database, keys: IdentifierKey[]): Promise<OwnedKey[]> {
  const found = await findIdentifiers(db, keys);
  const storedOwner = (key: IdentifierKey) =>
    found.find((row) => row.type === key.type && row.value === key.value)?.customerId ?? null;
  const implied = keys.map(impliedCustomerId);
  const existing = await existingCustomerIds(
    db,
    implied.filter((id): id is string => id !== null),
  );
  const owned: OwnedKey[] = [];
  for (const [index, key] of keys.entries()) {
    const stored = storedOwner(key);
    const id = implied[index];
    const owner =
      stored ?? (id && existing.has(id) ? id : null) ?? (await profileWithAddress(db, key));
    owned.push({ key, owner, stored: stored !== null });
  }
  const survivors = await survivorOf(
    db,
    owned.flatMap((o) => (o.owner ? [o.owner] : [])),
  );
  return owned.map((o) => ({ ...o, owner: o.owner && (survivors.get(o.owner) ?? o.owner) }));
}

function impliedCustomerId(key: IdentifierKey): string | null {
  if (key.type === 'userId') return key.value;
  if (key.type === 'anonymousId') return anonymousCustomerId(key.value);
  return null;
}

/** The one profile holding this email or phone; none, or several (ambiguous): null. */
async function profileWithAddress(db: Database, key: IdentifierKey): Promise<string | null> {
  if (key.type !== 'email' && key.type !== 'phone') return null;
  const ids = await customersWithAddress(db, key.type === 'email' ? 'email' : 'sms', key.value);
  return ids.length === 1 ? ids[0]! : null;
}

/**
 * The customer the identifiers resolve to: the owner of the first key (priority order) that has
 * one, where a userId always names its own customer (created when new); else a new customer,
 * `anon:<anonymousId>` for an anonymous visitor and a random id otherwise (an email is never
 * part of a customer id: ids reach logs and search attributes).
 */
export function chooseTarget(owned: OwnedKey[]): string {
  for (const { key, owner } of owned) {
    if (owner) return owner;
    if (key.type === 'userId') return key.value;
  }
  const anonymous = owned.find((o) => o.key.type === 'anonymousId');
  return anonymous ? anonymousCustomerId(anonymous.key.value) : `cus_${randomUUID()}`;
}
