import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerTombstones, erasedIdentifiers, type ErasedIdentifierKind } from '../db/schema';
import type { SendCheck } from '../guardrails/send-checks';
import { hashIdentifier, identifierKindOf, type IdentifierKey } from './identifier-hash';

/**
 * The send path's first check (src/guardrails/send-checks.ts), fail closed:
 * - `customer_erased`: the customer's erasure has begun (or is done): nothing goes to them on any
 *   channel, webhooks and the inbox included, while their runs are being closed;
 * - `suppressed`: the address was on the suppression list when its customer was erased; the
 *   block outlives the clear entry, for every customer;
 * - `erased_address`: the address belonged to an erased customer and no new opt-in released it.
 * A channel with several addresses (push) sends to the ones not refused. One statement; a
 * database error propagates, so the send retries rather than going out unchecked.
 */
export function erasureCheck(key: IdentifierKey): SendCheck {
  return {
    name: 'erasure',
    async run(input) {
      const kind = input.suppressionChannel ? identifierKindOf(input.suppressionChannel) : null;
      const hashed = kind
        ? input.addresses.map((address) => ({
            address,
            hash: hashIdentifier(key, { kind, value: address }).hash,
          }))
        : [];
      const blocks = await erasureBlocks(
        input.db,
        input.customerId,
        kind,
        hashed.map((h) => h.hash),
      );
      if (blocks.customerErased) return { allowed: false, reason: 'customer_erased' };
      if (hashed.length === 0) return { allowed: true };
      const remaining = hashed.filter((h) => !blocks.identifiers.has(h.hash));
      if (remaining.length === hashed.length) return { allowed: true };
      if (remaining.length > 0)
        return { allowed: true, addresses: remaining.map((h) => h.address) };
      const suppressed = hashed.some((h) => blocks.identifiers.get(h.hash) !== null);
      return { allowed: false, reason: suppressed ? 'suppressed' : 'erased_address' };
    },
  };
}

interface ErasureBlocks {
  customerErased: boolean;
  /** Erased identifiers among the hashes, with the suppression each carries (or null). */
  identifiers: Map<string, string | null>;
}

/** Whether the customer is tombstoned and which hashes are erased identifiers, in one statement. */
async function erasureBlocks(
  db: Database,
  customerId: string,
  kind: ErasedIdentifierKind | null,
  hashes: string[],
): Promise<ErasureBlocks> {
  const tombstone = db
    .select({ hash: sql<string | null>`null::text`, reason: sql<string | null>`null::text` })
    .from(customerTombstones)
    .where(
      and(eq(customerTombstones.customerId, customerId), isNull(customerTombstones.releasedAt)),
    );
  const rows = await tombstone.unionAll(
    db
      .select({ hash: erasedIdentifiers.hash, reason: erasedIdentifiers.suppressionReason })
      .from(erasedIdentifiers)
      .where(
        and(
          // No address (webhook, in-app): no hashes, so this half matches nothing.
          eq(erasedIdentifiers.kind, kind ?? 'email'),
          sql`${erasedIdentifiers.hash} = any(${sql.param(hashes)}::text[])`,
        ),
      ),
  );
  const identifiers = new Map<string, string | null>();
  let customerErased = false;
  for (const row of rows) {
    if (row.hash === null) customerErased = true;
    else identifiers.set(row.hash, row.reason);
  }
  return { customerErased, identifiers };
}
