import { and, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries } from '../db/schema';
import {
  evaluateCaps,
  longestWindowMs,
  rulesFor,
  type CapClaim,
  type CapRule,
} from '../guardrails/cap-rules';
import type { ChannelName } from '../journeys/channel-content';
import { COUNTED_STATUSES, type DeliveryRow } from './delivery-row';

export interface CapClaimRequest {
  deliveryId: string;
  customerId: string;
  channel: ChannelName;
  messageKind: 'marketing' | 'transactional';
  /** The caller's merged rules (global plus the journey's overrides). */
  rules: CapRule[];
  /** Recorded as the row's claimed_at, and the end of every window. */
  now: Date;
  patch: { recipient: string; subject: string };
}

export type CapClaimResult =
  | { kind: 'claimed'; row: DeliveryRow }
  | { kind: 'capped'; rule: CapRule; retryAt: Date; counted: number }
  /** The row was no longer pending (or does not exist): another attempt claimed it. */
  | { kind: 'lost' };

/** Namespaces the lock key so it cannot collide with other per-customer advisory locks. */
const LOCK_NAMESPACE = 'cairn:frequency-caps:';

/**
 * Claims a pending delivery (pending → sending) unless a frequency cap forbids it, atomically:
 * every marketing claim for one customer holds the same transaction-scoped advisory lock while it
 * counts and claims, so concurrent runs cannot both see the last free slot. Transactional messages
 * bypass caps (no lock, no count) but record claimed_at like any other. Database errors propagate:
 * the caller fails closed and retries, it never sends without a decision.
 */
export async function claimWithinCaps(
  db: Database,
  request: CapClaimRequest,
): Promise<CapClaimResult> {
  const applicable =
    request.messageKind === 'transactional' ? [] : rulesFor(request.rules, request.channel);
  // Read committed: each statement sees what earlier lock holders committed. Under repeatable
  // read the snapshot would be taken before the lock is granted and miss their claims.
  return db.transaction(
    async (tx) => {
      if (applicable.length > 0) await lockCustomerCaps(tx, request.customerId);
      // Checked before counting: a row an earlier attempt claimed counts against its own cap, and
      // must come back as lost (someone is sending it), never as capped.
      const current = await pendingRow(tx, request);
      if (!current) return { kind: 'lost' };
      if (applicable.length > 0) {
        const claims = await recentClaims(tx, request, applicable);
        const breach = evaluateCaps(applicable, request.channel, claims, request.now);
        if (breach) return { kind: 'capped', ...breach };
      }
      const row = await claimRow(tx, request);
      return row ? { kind: 'claimed', row } : { kind: 'lost' };
    },
    { isolationLevel: 'read committed' },
  );
}

type Executor = Pick<Database, 'execute' | 'select' | 'update'>;

/**
 * Takes the lock every capped claim for this customer takes, until the surrounding transaction
 * ends. Exported for code that must not interleave with cap decisions (and for tests).
 */
export async function lockCustomerCaps(tx: Executor, customerId: string): Promise<void> {
  const key = `${LOCK_NAMESPACE}${customerId}`;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}::text, 0))`);
}

/**
 * This customer's counted marketing claims within the longest window. Only this channel's rows are
 * read unless an 'all' rule applies. Anything not marked transactional counts (fail closed).
 */
async function recentClaims(
  tx: Executor,
  request: CapClaimRequest,
  rules: CapRule[],
): Promise<CapClaim[]> {
  const since = new Date(request.now.getTime() - longestWindowMs(rules));
  const acrossChannels = rules.some((rule) => rule.channel === 'all');
  const rows = await tx
    .select({ channel: deliveries.channel, claimedAt: deliveries.claimedAt })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.customerId, request.customerId),
        gt(deliveries.claimedAt, since),
        inArray(deliveries.status, COUNTED_STATUSES),
        ne(deliveries.messageKind, 'transactional'),
        acrossChannels ? undefined : eq(deliveries.channel, request.channel),
      ),
    );
  return rows.flatMap((row) =>
    row.claimedAt ? [{ channel: row.channel, claimedAt: row.claimedAt }] : [],
  );
}

async function claimRow(tx: Executor, request: CapClaimRequest): Promise<DeliveryRow | null> {
  const rows = await tx
    .update(deliveries)
    .set({
      status: 'sending',
      claimedAt: request.now,
      attempts: sql`${deliveries.attempts} + 1`,
      recipient: request.patch.recipient,
      subject: request.patch.subject,
      updatedAt: sql`now()`,
    })
    .where(and(eq(deliveries.id, request.deliveryId), eq(deliveries.status, 'pending')))
    .returning();
  return rows[0] ?? null;
}

/**
 * The delivery when it is still pending; null otherwise. Not locked: a capped decision then
 * writes nothing, and the claim's own "status = 'pending'" guard catches any change since.
 * A row that is not the one described would be counted against the wrong customer or channel.
 */
async function pendingRow(tx: Executor, request: CapClaimRequest): Promise<DeliveryRow | null> {
  const rows = await tx.select().from(deliveries).where(eq(deliveries.id, request.deliveryId));
  const row = rows[0];
  if (!row || row.status !== 'pending') return null;
  const mismatched = (['customerId', 'channel', 'messageKind'] as const).filter(
    (field) => row[field] !== request[field],
  );
  if (mismatched.length > 0) {
    throw new Error(
      `delivery ${request.deliveryId} does not match the cap claim: ${mismatched.join(', ')} differ`,
    );
  }
  return row;
}
