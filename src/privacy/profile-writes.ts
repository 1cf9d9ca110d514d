import type { Database } from '../db/database';
import type { ErasedIdentifierKind } from '../db/schema';
import { findErasedIdentifiers, releaseErasedIdentifiers } from './erased-identifiers';
import { hashIdentifier, type HashedIdentifier, type IdentifierKey } from './identifier-hash';
import { readTombstone, releaseTombstone } from './tombstones';

/** Why a profile write is refused; `field` names the request field that is erased. */
export class ProfileWriteRefused extends Error {
  override readonly name = 'ProfileWriteRefused';

  constructor(
    readonly reason: 'customer_erased' | 'erasure_in_progress' | 'identifier_erased',
    readonly field: 'id' | 'email' | 'phone',
  ) {
    super(`profile write refused: ${reason}`);
  }
}

export interface ProfileWrite {
  customerId: string;
  email?: string | null;
  phone?: string | null;
  /** The person gave a new opt-in (a new sign-up): an erased id or identifier may be used again. */
  newOptIn: boolean;
}

const FIELDS: Record<'email' | 'phone', ErasedIdentifierKind> = { email: 'email', phone: 'phone' };

/**
 * What a later PUT /v1/customers/:id meets when it names an erased customer (run in the write's
 * transaction, before the write):
 * - the id is being erased: refused (`erasure_in_progress`), whatever the request says;
 * - the id was erased: refused (`customer_erased`), unless `newOptIn` — then the tombstone is
 *   released and the write creates a fresh profile (nothing of the old one is left to merge);
 * - the email or phone it sets belonged to an erased customer: refused (`identifier_erased`),
 *   unless `newOptIn` — then their tombstone entries are released (an entry that carries a
 *   suppression stays: a hard-bounced address stays blocked for sends).
 * Without a key (an API built without one) only the id is checked.
 */
export async function admitProfileWrite(
  db: Database,
  key: IdentifierKey | undefined,
  write: ProfileWrite,
): Promise<void> {
  const tombstone = await readTombstone(db, write.customerId);
  if (tombstone && tombstone.releasedAt === null) {
    if (tombstone.status === 'erasing') throw new ProfileWriteRefused('erasure_in_progress', 'id');
    if (!write.newOptIn) throw new ProfileWriteRefused('customer_erased', 'id');
    await releaseTombstone(db, write.customerId);
  }
  if (!key) return;
  const erased = await erasedValues(db, key, write);
  const refused = erased[0];
  if (!refused) return;
  if (!write.newOptIn) throw new ProfileWriteRefused('identifier_erased', refused.field);
  await releaseErasedIdentifiers(db, erased);
}

async function erasedValues(
  db: Database,
  key: IdentifierKey,
  write: ProfileWrite,
): Promise<(HashedIdentifier & { field: 'email' | 'phone' })[]> {
  const found: (HashedIdentifier & { field: 'email' | 'phone' })[] = [];
  for (const field of ['email', 'phone'] as const) {
    const value = write[field];
    if (typeof value !== 'string') continue;
    const hashed = hashIdentifier(key, { kind: FIELDS[field], value });
    const matches = await findErasedIdentifiers(db, hashed.kind, [hashed.hash]);
    if (matches.length > 0) found.push({ ...hashed, field });
  }
  return found;
}
