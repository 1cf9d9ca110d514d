import type { Database } from '../db/database';
import { lockConsentForChange } from '../guardrails/consent-gate';
import { countRunningRuns } from '../routing/customer-erasure';
import type { ErasureContext } from './customer-eraser';
import { recordErasedIdentifiers } from './erased-identifiers';
import { CUSTOMER_ERASERS, IDENTIFIER_SOURCES } from './erasers';
import { hashIdentifiers, type CustomerIdentifier, type IdentifierKey } from './identifier-hash';
import { openTombstone, type TombstoneRow } from './tombstones';

/**
 * The first step of an erasure, before anything is erased: the tombstone and the hashes of the
 * customer's identifiers, in one transaction. From its commit on events and profile writes for
 * the id, and sends to its addresses, are refused. It takes the consent gate's lock as a consent
 * change does, so it waits for the customer's sends already on their way, and a send that starts
 * later reads the tombstone: no message leaves once it is written. Idempotent (a second request
 * joins the first).
 */
export async function openErasure(
  db: Database,
  key: IdentifierKey,
  customerId: string,
): Promise<TombstoneRow> {
  return db.transaction(async (tx) => {
    await lockConsentForChange(tx, customerId);
    const tombstone = await openTombstone(tx, customerId);
    const identifiers = await gatherIdentifiers(tx, customerId);
    await recordErasedIdentifiers(tx, customerId, hashIdentifiers(key, identifiers));
    return tombstone;
  });
}

async function gatherIdentifiers(db: Database, customerId: string): Promise<CustomerIdentifier[]> {
  const found: CustomerIdentifier[] = [];
  for (const source of IDENTIFIER_SOURCES)
    found.push(...(await source.identifiers(db, customerId)));
  return found;
}

export type RowErasure =
  | { done: true; erasedRows: Record<string, number> }
  /** Runs of the customer are (again) running: close them, then erase. */
  | { done: false; runningRuns: number };

/**
 * Erases the customer's rows from every table, each through the module that owns it, in one
 * transaction: all of it or, on any failure, none (the step is retried whole). Refuses while the
 * registry has a run of theirs running — one may have started after their runs were closed —
 * and then erases nothing. Identifiers gathered now are hashed into the tombstone too (a device
 * registered during the erasure).
 */
export async function eraseCustomerRows(
  db: Database,
  key: IdentifierKey,
  customerId: string,
): Promise<RowErasure> {
  return db.transaction(async (tx) => {
    const runningRuns = await countRunningRuns(tx, customerId);
    if (runningRuns > 0) return { done: false, runningRuns };
    const identifiers = await gatherIdentifiers(tx, customerId);
    await recordErasedIdentifiers(tx, customerId, hashIdentifiers(key, identifiers));
    const context: ErasureContext = { customerId, identifiers, key };
    const erasedRows: Record<string, number> = {};
    for (const eraser of CUSTOMER_ERASERS) {
      Object.assign(erasedRows, await eraser.erase(tx, context));
    }
    return { done: true, erasedRows };
  });
}
