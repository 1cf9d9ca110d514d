import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { erasedIdentifiers, type ErasedIdentifierKind } from '../db/schema';
import type { HashedIdentifier } from './identifier-hash';

export interface ErasedIdentifierMatch extends HashedIdentifier {
  /** Set when the address was suppressed when its customer was erased: it blocks for good. */
  suppressionReason: string | null;
}

/** Records an erased customer's identifiers (hashed); one already recorded stays as it is. */
export async function recordErasedIdentifiers(
  db: Database,
  customerId: string,
  identifiers: readonly HashedIdentifier[],
): Promise<void> {
  if (identifiers.length === 0) return;
  await db
    .insert(erasedIdentifiers)
    .values(identifiers.map((identifier) => ({ ...identifier, customerId })))
    .onConflictDoNothing();
}

/**
 * Carries suppressions of erased addresses into their hashed entries: the clear entry goes (it
 * names the address), the block stays. The first reason recorded is kept, as the list keeps it.
 */
export async function carrySuppressions(
  db: Database,
  customerId: string,
  entries: readonly (HashedIdentifier & { reason: string })[],
): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insert(erasedIdentifiers)
    .values(
      entries.map((entry) => ({
        kind: entry.kind,
        hash: entry.hash,
        customerId,
        suppressionReason: entry.reason,
      })),
    )
    .onConflictDoUpdate({
      target: [erasedIdentifiers.kind, erasedIdentifiers.hash],
      set: {
        suppressionReason: sql`coalesce(${erasedIdentifiers.suppressionReason}, excluded.suppression_reason)`,
      },
    });
}

/** Which of these hashed identifiers of one kind belong to an erased customer. */
export async function findErasedIdentifiers(
  db: Database,
  kind: ErasedIdentifierKind,
  hashes: readonly string[],
): Promise<ErasedIdentifierMatch[]> {
  if (hashes.length === 0) return [];
  return db
    .select({
      kind: erasedIdentifiers.kind,
      hash: erasedIdentifiers.hash,
      suppressionReason: erasedIdentifiers.suppressionReason,
    })
    .from(erasedIdentifiers)
    .where(
      and(
        eq(erasedIdentifiers.kind, kind),
        // One array parameter: one statement text whatever the number of hashes.
        sql`${erasedIdentifiers.hash} = any(${sql.param([...hashes])})`,
      ),
    );
}

/**
 * A new opt-in for these identifiers: their tombstone entries go, but not the ones that carry a
 * suppression (a hard bounce or complaint blocks the address whoever asks).
 */
export async function releaseErasedIdentifiers(
  db: Database,
  identifiers: readonly HashedIdentifier[],
): Promise<void> {
  for (const identifier of identifiers) {
    await db
      .delete(erasedIdentifiers)
      .where(
        and(
          eq(erasedIdentifiers.kind, identifier.kind),
          eq(erasedIdentifiers.hash, identifier.hash),
          isNull(erasedIdentifiers.suppressionReason),
        ),
      );
  }
}
