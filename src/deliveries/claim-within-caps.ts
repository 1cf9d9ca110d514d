import { and, eq, gt, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { currentIdSql, personIdsSql } from '../customers/redirect-sql';
import type { Database } from '../db/database';
import { columnPlaceholder, preparedPerDatabase } from '../db/prepared';
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
 * (and marketing with no rule for its channel) bypass caps: no lock, no count, one statement that
 * records claimed_at like any other claim. Database errors propagate: the caller fails closed and
 * retries, it never sends without a decision.
 */
export async function claimWithinCaps(
  db: Database,
  request: CapClaimRequest,
): Promise<CapClaimResult> {
  const applicable =
    request.messageKind === 'transactional' ? [] : rulesFor(request.rules, request.channel);
  if (applicable.length === 0) return claimUncapped(db, request);
  // Read committed: each statement sees what earlier lock holders committed. Under repeatable
  // read the snapshot would be taken before the lock is granted and miss their claims. Drizzle
  // sets the level in a statement of its own; it is kept rather than trusting the server default.
  return db.transaction(
    async (tx) => {
      await lockCustomerCaps(tx, request.customerId);
      // A statement of its own after the lock: its snapshot is taken once the lock is granted, so
      // it sees every claim committed before. (Read in the lock's statement, it would not.)
      const pending = await pendingRowAndClaims(tx, request, applicable);
      if (!pending) return { kind: 'lost' };
      const breach = evaluateCaps(applicable, request.channel, pending.claims, request.now);
      if (breach) return { kind: 'capped', ...breach };
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
  // The person's lock: a run the merged-away customer started and the survivor's own runs take
  // the same one (the survivor's id), so they cannot both see the last free slot.
  const id = currentIdSql(sql`${customerId}::text`);
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${LOCK_NAMESPACE}::text || ${id}, 0))`,
  );
}

/**
 * No cap applies: the claim is one guarded update, built once per database (the claim of every
 * transactional send). When it claims nothing, the row is read to tell another attempt's claim
 * (lost) from a row that is not the one described (a bug: thrown).
 */
async function claimUncapped(db: Database, request: CapClaimRequest): Promise<CapClaimResult> {
  const [row] = await uncappedClaim(db).execute(claimValues(request));
  if (row) return { kind: 'claimed', row };
  await pendingRow(db, request);
  return { kind: 'lost' };
}

const uncappedClaim = preparedPerDatabase((db) => claimStatement(db).prepare('uncapped_claim'));

const counted = alias(deliveries, 'counted');

/**
 * The delivery when it is still pending, with this customer's counted marketing claims within the
 * longest window, in one statement; null when it is not pending. Only this channel's claims are
 * read unless an 'all' rule applies. Anything not marked transactional counts (fail closed). The
 * row is not locked: a capped decision then writes nothing, and the claim's own
 * "status = 'pending'" guard catches any change since.
 */
async function pendingRowAndClaims(
  tx: Executor,
  request: CapClaimRequest,
  rules: CapRule[],
): Promise<{ row: DeliveryRow; claims: CapClaim[] } | null> {
  const since = new Date(request.now.getTime() - longestWindowMs(rules));
  const acrossChannels = rules.some((rule) => rule.channel === 'all');
  const claims = tx
    .select({
      claims: sql`coalesce(json_agg(json_build_array(${counted.channel}, extract(epoch from ${counted.claimedAt}) * 1000)), '[]'::json)`,
    })
    .from(counted)
    .where(
      and(
        // The person's claims: a customer merged away and its survivor are one person.
        sql`${counted.customerId} = any(${personIdsSql(sql`${request.customerId}::text`)})`,
        gt(counted.claimedAt, since),
        // One array parameter, so the statement text never varies (see ledger.ts).
        sql`${counted.status} = any(${sql.param(COUNTED_STATUSES)})`,
        ne(counted.messageKind, 'transactional'),
        acrossChannels ? undefined : eq(counted.channel, request.channel),
      ),
    );
  const rows = await tx
    .select({ row: deliveries, claims: sql<[string, number][]>`(${claims})` })
    .from(deliveries)
    .where(eq(deliveries.id, request.deliveryId));
  const found = rows[0];
  if (!found || !pendingMatching(found.row, request)) return null;
  return {
    row: found.row,
    claims: found.claims.map(([channel, at]) => ({ channel, claimedAt: new Date(Number(at)) })),
  };
}

/** Pending → sending, only while the row is pending and is the delivery the request describes. */
async function claimRow(tx: Executor, request: CapClaimRequest): Promise<DeliveryRow | null> {
  const rows = await claimStatement(tx).execute(claimValues(request));
  return rows[0] ?? null;
}

/** The claim with its values as placeholders: prepared on the pool, executed as is in a transaction. */
function claimStatement(db: Executor) {
  return db
    .update(deliveries)
    .set({
      status: 'sending',
      claimedAt: columnPlaceholder('now', deliveries.claimedAt),
      attempts: sql`${deliveries.attempts} + 1`,
      recipient: columnPlaceholder('recipient', deliveries.recipient),
      subject: columnPlaceholder('subject', deliveries.subject),
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(deliveries.id, sql.placeholder('deliveryId')),
        eq(deliveries.status, 'pending'),
        eq(deliveries.customerId, sql.placeholder('customerId')),
        eq(deliveries.channel, sql.placeholder('channel')),
        eq(deliveries.messageKind, sql.placeholder('messageKind')),
      ),
    )
    .returning();
}

function claimValues(request: CapClaimRequest): Record<string, unknown> {
  return {
    deliveryId: request.deliveryId,
    customerId: request.customerId,
    channel: request.channel,
    messageKind: request.messageKind,
    now: request.now,
    recipient: request.patch.recipient,
    subject: request.patch.subject,
  };
}

/** The delivery when it is still pending; null otherwise (thrown when it is not the one described). */
async function pendingRow(db: Executor, request: CapClaimRequest): Promise<DeliveryRow | null> {
  const rows = await db.select().from(deliveries).where(eq(deliveries.id, request.deliveryId));
  const row = rows[0];
  return row && pendingMatching(row, request) ? row : null;
}

/**
 * Whether the row is pending; a pending row that is not the one described would be counted
 * against the wrong customer or channel, so it throws.
 */
function pendingMatching(row: DeliveryRow, request: CapClaimRequest): boolean {
  if (row.status !== 'pending') return false;
  const mismatched = (['customerId', 'channel', 'messageKind'] as const).filter(
    (field) => row[field] !== request[field],
  );
  if (mismatched.length > 0) {
    throw new Error(
      `delivery ${request.deliveryId} does not match the cap claim: ${mismatched.join(', ')} differ`,
    );
  }
  return true;
}
