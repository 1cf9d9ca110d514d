import { eq } from 'drizzle-orm';
import { existingCustomerIds } from '../customers';
import type { Database } from '../db/database';
import { customerMerges } from '../db/schema';
import type { JsonObject } from '../journeys/run-types';
import { recordEvents } from '../routing';
import { CUSTOMER_MERGED } from '../routing/merged-runs';
import { customerLockName, lockNames } from './locks';
import { findMerge } from './merge-records';
import { MergeError } from './merge-errors';
import { CUSTOMER_MOVERS } from './movers';
import { addRedirect, removeRedirect } from './redirects';
import { survivorOf } from './survivors';

export interface MergeRequest {
  /** The customer merged away. */
  from: string;
  /** The survivor. */
  into: string;
  /** Why: identify:anonymousId, manual, … */
  reason: string;
  /** Who or what caused it: api, resolve:<source>, … */
  causedBy: string;
  now?: Date;
}

/**
 * Merges `from` into `into` in one transaction: what belongs to `from` moves to `into` (the
 * movers), `from` redirects to `into`, and the merge is recorded with what moved so it can be
 * undone. Both customers are locked for it; a customer already merged away cannot take part.
 */
export async function mergeCustomers(
  db: Database,
  request: MergeRequest,
): Promise<{ mergeId: string }> {
  const { from, into } = request;
  if (from === into)
    throw new MergeError('same_customer', 'from', 'a customer cannot merge into itself');
  const now = request.now ?? new Date();
  return db.transaction(async (tx) => {
    await lockNames(tx, [customerLockName(from), customerLockName(into)]);
    await requireMergeable(tx, from, into);
    const [merge] = await tx
      .insert(customerMerges)
      .values({
        fromCustomerId: from,
        intoCustomerId: into,
        status: 'applied',
        reason: request.reason,
        causedBy: request.causedBy,
        createdAt: now,
      })
      .returning({ id: customerMerges.id });
    const mergeId = merge!.id;
    const moved: JsonObject = {};
    for (const mover of CUSTOMER_MOVERS) {
      moved[mover.name] = await mover.move(tx, { from, into, now });
    }
    moved.redirects = await addRedirect(tx, from, into, mergeId);
    await tx.update(customerMerges).set({ moved }).where(eq(customerMerges.id, mergeId));
    await recordMergeEvent(tx, { mergeId, from, into, now });
    return { mergeId };
  });
}

/**
 * The survivor's customer_merged event, in the merge's transaction: the router's routing of it
 * cancels the duplicate runs the merge leaves (src/routing/merged-runs.ts), however the caller
 * fares after the commit. Journeys may trigger on it too.
 */
async function recordMergeEvent(
  tx: Database,
  merge: { mergeId: string; from: string; into: string; now: Date },
): Promise<void> {
  await recordEvents(
    tx,
    [
      {
        id: `${CUSTOMER_MERGED}:${merge.mergeId}`,
        customerId: merge.into,
        type: CUSTOMER_MERGED,
        occurredAt: merge.now.toISOString(),
        properties: { merge_id: merge.mergeId, merged_customer_id: merge.from },
      },
    ],
    { now: merge.now, source: 'identity' },
  );
}

async function requireMergeable(tx: Database, from: string, into: string): Promise<void> {
  const known = await existingCustomerIds(tx, [from, into]);
  if (!known.has(from)) throw new MergeError('customer_not_found', 'from', 'no such customer');
  if (!known.has(into)) throw new MergeError('customer_not_found', 'id', 'no such customer');
  const merged = await survivorOf(tx, [from, into]);
  if (merged.has(from)) {
    throw new MergeError('customer_merged', 'from', 'this customer was merged into another');
  }
  if (merged.has(into)) {
    throw new MergeError('customer_merged', 'id', 'this customer was merged into another');
  }
}

/**
 * Reverses a merge: the movers give back what they moved (backwards), the redirect goes. A merge
 * whose survivor was merged into a third customer since is undone after that later merge.
 */
export async function unmergeCustomers(
  db: Database,
  mergeId: string,
  options: { now?: Date } = {},
): Promise<{ from: string; into: string }> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const merge = await readMerge(tx, mergeId);
    const { fromCustomerId: from, intoCustomerId: into } = merge;
    await lockNames(tx, [customerLockName(from), customerLockName(into)]);
    const locked = await readMerge(tx, mergeId);
    if (locked.status !== 'applied') {
      throw new MergeError('merge_not_applied', 'mergeId', 'this merge is not applied');
    }
    if ((await survivorOf(tx, [into])).has(into)) {
      throw new MergeError(
        'survivor_merged',
        'mergeId',
        'the survivor was merged again since; unmerge that merge first',
      );
    }
    const moved = locked.moved;
    const context = { from, into, now, mergedAt: locked.createdAt };
    await removeRedirect(tx, from, stringList(moved.redirects));
    for (const mover of [...CUSTOMER_MOVERS].reverse()) {
      await mover.restore(tx, context, moved[mover.name] ?? null);
    }
    await tx
      .update(customerMerges)
      .set({ status: 'unmerged', unmergedAt: now })
      .where(eq(customerMerges.id, mergeId));
    return { from, into };
  });
}

async function readMerge(tx: Database, mergeId: string) {
  const row = await findMerge(tx, mergeId);
  if (!row) throw new MergeError('merge_not_found', 'mergeId', 'no such merge');
  return row;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
