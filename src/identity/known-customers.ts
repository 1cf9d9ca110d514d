import { existingCustomerIds } from '../customers';
import type { Database } from '../db/database';
import { findIdentifiers } from './identifier-rows';
import type { IdentifierKey, Identifiers } from './identifiers';
import type { MergeRules } from './merge-rules';
import { identifierKeys } from './normalise';
import { anonymousCustomerId } from './owners';
import { survivorOf } from './survivors';

/**
 * The customers many sets of identifiers already stand for, in three queries whatever their
 * number, for ingest paths that see thousands of calls from known visitors (src/ingestion). A set
 * is known when each of its usable identifiers — a userId, an anonymousId — already points at one
 * and the same customer (its stored identifier, or the customer its id implies, which exists),
 * followed to its survivor: resolving it would merge nothing and add no identifier a lookup needs.
 * Anything else (a new id, identifiers pointing at two customers, an email or phone, nothing
 * usable) is null: resolveCustomer decides it, under its locks.
 */
export async function knownCustomers(
  db: Database,
  sets: Identifiers[],
  rules: MergeRules,
): Promise<(string | null)[]> {
  const keysOf = sets.map((ids) => identifierKeys(ids, rules).keys);
  const simple = keysOf.map((keys) => keys.length > 0 && keys.every(isImplied));
  const keys = uniqueKeys(keysOf.filter((_, i) => simple[i]).flat());
  if (keys.length === 0) return sets.map(() => null);
  const [stored, existing] = await Promise.all([
    findIdentifiers(db, keys),
    existingCustomerIds(db, keys.map(impliedCustomerId)),
  ]);
  const storedOwner = new Map(stored.map((row) => [keyName(row), row.customerId]));
  const ownerOf = (key: IdentifierKey): string | null => {
    const implied = impliedCustomerId(key);
    return storedOwner.get(keyName(key)) ?? (existing.has(implied) ? implied : null);
  };
  const owners = keys.map(ownerOf).filter((o): o is string => o !== null);
  const survivors = await survivorOf(db, owners);
  return keysOf.map((setKeys, i) => {
    if (!simple[i]) return null;
    const found = setKeys.map((key) => {
      const owner = ownerOf(key);
      return owner && (survivors.get(owner) ?? owner);
    });
    const first = found[0];
    return first && found.every((owner) => owner === first) ? first : null;
  });
}

const isImplied = (key: IdentifierKey) => key.type === 'userId' || key.type === 'anonymousId';

const impliedCustomerId = (key: IdentifierKey): string =>
  key.type === 'userId' ? key.value : anonymousCustomerId(key.value);

const keyName = (key: IdentifierKey) => `${key.type}\u0000${key.value}`;

function uniqueKeys(keys: IdentifierKey[]): IdentifierKey[] {
  return [...new Map(keys.map((key) => [keyName(key), key])).values()];
}
