import type { Database } from '../db/database';
import { findErasedIdentifiers } from './erased-identifiers';
import { hashIdentifier, type IdentifierKey } from './identifier-hash';
import { standingTombstoneIds } from './tombstones';

/** A customer row of a file as the privacy check needs it: its line, id and the identifiers it sets. */
export interface ImportedProfile {
  line: number;
  id: string;
  email?: string | null;
  phone?: string | null;
}

export interface RefusedProfile {
  line: number;
  field: 'id' | 'email' | 'phone';
  message: string;
}

/**
 * The bulk import's side of the tombstone (admitProfileWrite is PUT's): a file row never brings an
 * erased customer back. A file carries no new opt-in, so a row is refused when its id has a
 * standing tombstone (erased or being erased), or when, with the key, the email or phone it sets
 * belonged to an erased customer; the person signing up again goes through PUT with `newOptIn`.
 * Three statements per chunk, whatever its size. Run in the chunk's transaction, before its write.
 */
export async function refusedImportRows(
  db: Database,
  key: IdentifierKey | undefined,
  rows: readonly ImportedProfile[],
): Promise<RefusedProfile[]> {
  if (rows.length === 0) return [];
  const refused = new Map<number, RefusedProfile>();
  for (const id of await standingTombstoneIds(
    db,
    rows.map((row) => row.id),
  )) {
    for (const row of rows.filter((r) => r.id === id)) {
      refused.set(row.line, { line: row.line, field: 'id', message: ERASED_ID });
    }
  }
  if (key) {
    for (const field of ['email', 'phone'] as const) {
      const hashed = rows.flatMap((row) => {
        const value = row[field];
        return typeof value === 'string' && !refused.has(row.line)
          ? [{ line: row.line, hash: hashIdentifier(key, { kind: field, value }).hash }]
          : [];
      });
      const erased = new Set(
        (await findErasedIdentifiers(db, field, [...new Set(hashed.map((h) => h.hash))])).map(
          (match) => match.hash,
        ),
      );
      for (const { line, hash } of hashed) {
        if (erased.has(hash) && !refused.has(line)) {
          refused.set(line, { line, field, message: ERASED_IDENTIFIER });
        }
      }
    }
  }
  return [...refused.values()];
}

const ERASED_ID =
  'names an erased customer; a file cannot bring them back (PUT /v1/customers/{id} with "newOptIn": true can)';
const ERASED_IDENTIFIER =
  'belongs to an erased customer; a file cannot reuse it (PUT /v1/customers/{id} with "newOptIn": true can)';
