import { and, eq, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { columnPlaceholder, preparedPerDatabase } from '../db/prepared';
import { deliveries } from '../db/schema';
import type { JsonObject } from '../journeys/run-types';
import { OUTCOME_UNKNOWN, type DeliveryRow, type DeliveryStatus } from './delivery-row';

/** What a new ledger row records about the message before anything is checked or sent. */
export interface DeliveryOpening {
  deliveryKey: string;
  customerId: string;
  journeyId: string;
  journeyVersion: number;
  workflowId: string;
  stepId: string;
  channel: DeliveryRow['channel'];
  messageKind: DeliveryRow['messageKind'];
}

/**
 * Creates the row for this key unless it exists, and returns it: in one statement when this
 * attempt creates it (the first attempt, nearly always), with a read of the row an earlier
 * attempt created otherwise. Returns null when the customer does not exist (the ledger references
 * customers, so there is nothing to record against).
 */
export async function openDelivery(
  db: Database,
  opening: DeliveryOpening,
  id: string,
): Promise<DeliveryRow | null> {
  let created: DeliveryRow | undefined;
  try {
    [created] = await openStatement(db).execute({ ...opening, id });
  } catch (error) {
    if (isForeignKeyViolation(error)) return null;
    throw error;
  }
  return created ?? readDelivery(db, opening.deliveryKey);
}

const openStatement = preparedPerDatabase((db) =>
  db
    .insert(deliveries)
    .values({
      id: sql.placeholder('id'),
      deliveryKey: sql.placeholder('deliveryKey'),
      customerId: sql.placeholder('customerId'),
      journeyId: sql.placeholder('journeyId'),
      journeyVersion: sql.placeholder('journeyVersion'),
      workflowId: sql.placeholder('workflowId'),
      stepId: sql.placeholder('stepId'),
      channel: sql.placeholder('channel'),
      messageKind: sql.placeholder('messageKind'),
      status: 'pending',
    })
    // No conflict target: the id is derived from the key, so two attempts racing on one key
    // collide on the primary key as often as on the key, and either means "already opened".
    .onConflictDoNothing()
    .returning()
    .prepare('ledger_open_delivery'),
);

/**
 * The message waits before it is sent (quiet hours): its row is opened, or kept, pending with the
 * reason and until when (`detail.deferredUntil`, as a cap deferral records it), so "why didn't this
 * customer get it yet" has an answer in the ledger while it waits. A row an attempt already
 * claimed or settled keeps what it says. False when the customer does not exist.
 */
export async function recordHold(
  db: Database,
  opening: DeliveryOpening,
  id: string,
  hold: { reason: string; until: Date },
): Promise<boolean> {
  try {
    await db
      .insert(deliveries)
      .values({
        ...opening,
        id,
        status: 'pending',
        reason: hold.reason,
        detail: { deferredUntil: hold.until.toISOString() },
      })
      .onConflictDoUpdate({
        target: deliveries.id,
        set: {
          reason: hold.reason,
          detail: { deferredUntil: hold.until.toISOString() },
          updatedAt: sql`now()`,
        },
        setWhere: sql`${deliveries.status} = 'pending'`,
      });
    return true;
  } catch (error) {
    if (isForeignKeyViolation(error)) return false;
    throw error;
  }
}

/**
 * The run ended while some of its messages waited to be sent (held for quiet hours, deferred by
 * a cap): they never will be, so their rows say so (`skipped`, with `reason`) instead of staying
 * pending. Found by the customer (indexed) and the run's key prefix; returns how many.
 */
export async function settleUnsentOfRun(
  db: Database,
  run: { customerId: string; keyPrefix: string },
  reason: string,
): Promise<number> {
  const rows = await db
    .update(deliveries)
    .set({ status: 'skipped', reason, updatedAt: sql`now()` })
    .where(
      and(
        eq(deliveries.customerId, run.customerId),
        eq(deliveries.status, 'pending'),
        sql`starts_with(${deliveries.deliveryKey}, ${run.keyPrefix})`,
      ),
    )
    .returning({ id: deliveries.id });
  return rows.length;
}

/** The row of a key that was opened before; a missing one is a bug, not a state. */
export async function readDelivery(db: Database, deliveryKey: string): Promise<DeliveryRow> {
  const row = await findDeliveryByKey(db, deliveryKey);
  if (!row) throw new Error(`delivery ${deliveryKey} vanished after it was written`);
  return row;
}

export async function findDeliveryByKey(
  db: Database,
  deliveryKey: string,
): Promise<DeliveryRow | null> {
  const rows = await db
    .select()
    .from(deliveries)
    .where(eq(deliveries.deliveryKey, deliveryKey))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * A pending message that will not go out: a check refused it (skipped) or it cannot be made
 * (failed: render_error, sms_too_long). Null when another attempt moved the row first.
 */
export async function settlePending(
  db: Database,
  id: string,
  status: 'skipped' | 'failed',
  reason: string,
): Promise<DeliveryRow | null> {
  const rows = await settleStatement(db).execute({ id, status, reason });
  return rows[0] ?? null;
}

// Every skipped send (no consent, suppressed, no address) ends here: built once per database.
const settleStatement = preparedPerDatabase((db) =>
  db
    .update(deliveries)
    .set({
      status: columnPlaceholder('status', deliveries.status),
      reason: columnPlaceholder('reason', deliveries.reason),
      updatedAt: sql`now()`,
    })
    .where(fromStatuses(sql.placeholder('id'), ['pending']))
    .returning()
    .prepare('ledger_settle_pending'),
);

/**
 * The journey stopped retrying the send (the provider stayed down past the retry limit). Only a
 * row still waiting to be sent changes; one that was sent, or whose outcome is unknown, keeps it.
 */
export function recordAbandoned(
  db: Database,
  id: string,
  reason: string,
): Promise<DeliveryRow | null> {
  return settlePending(db, id, 'failed', reason);
}

/** Over a frequency cap: the row stays pending, and says until when it waits. */
export function recordDeferral(
  db: Database,
  id: string,
  retryAt: Date,
): Promise<DeliveryRow | null> {
  return transition(db, id, ['pending'], {
    reason: 'frequency_capped',
    detail: { deferredUntil: retryAt.toISOString() },
  });
}

export interface SentRecord {
  providerMessageId: string;
  providerCode?: string | null;
  detail?: JsonObject | null;
  sentAt: Date;
}

/**
 * The provider took the message. From 'unknown' too: a retry may have given up on this attempt
 * while the provider was answering, and the provider's answer is the better record.
 */
export async function recordSent(
  db: Database,
  id: string,
  sent: SentRecord,
): Promise<DeliveryRow | null> {
  const rows = await sentStatement(db).execute({
    id,
    providerMessageId: sent.providerMessageId,
    providerCode: sent.providerCode ?? null,
    detail: sent.detail ?? null,
    sentAt: sent.sentAt,
  });
  return rows[0] ?? null;
}

// Every send that succeeds records it: built once per database (see src/db/prepared.ts).
const sentStatement = preparedPerDatabase((db) =>
  db
    .update(deliveries)
    .set({
      status: 'sent',
      reason: null,
      providerMessageId: columnPlaceholder('providerMessageId', deliveries.providerMessageId),
      providerCode: columnPlaceholder('providerCode', deliveries.providerCode),
      detail: columnPlaceholder('detail', deliveries.detail),
      sentAt: columnPlaceholder('sentAt', deliveries.sentAt),
      updatedAt: sql`now()`,
    })
    .where(fromStatuses(sql.placeholder('id'), ['sending', 'unknown']))
    .returning()
    .prepare('ledger_record_sent'),
);

/** The provider refused the claimed message for good (reason provider_rejected:<code>). */
export function recordRejected(
  db: Database,
  id: string,
  reason: string,
): Promise<DeliveryRow | null> {
  return transition(db, id, ['sending'], { status: 'failed', reason });
}

/** The provider failed transiently: the claim is given back so the retry sends again. */
export function releaseClaim(db: Database, id: string): Promise<DeliveryRow | null> {
  return transition(db, id, ['sending'], { status: 'pending' });
}

/**
 * An earlier attempt claimed the send and never recorded how it ended: the provider may or may
 * not have the message, so the ledger says so and nothing is sent again.
 */
export function recordOutcomeUnknown(db: Database, id: string): Promise<DeliveryRow | null> {
  return transition(db, id, ['sending'], { status: 'unknown', reason: OUTCOME_UNKNOWN });
}

type DeliveryPatch = Partial<
  Pick<
    DeliveryRow,
    'status' | 'reason' | 'providerMessageId' | 'providerCode' | 'detail' | 'sentAt'
  >
>;

/**
 * Moves the row from one of `from` to the patched state, atomically: the update only applies when
 * the status is still what this attempt saw. Returns the new row, or null when another attempt
 * moved it first.
 */
async function transition(
  db: Database,
  id: string,
  from: DeliveryStatus[],
  patch: DeliveryPatch,
): Promise<DeliveryRow | null> {
  const rows = await db
    .update(deliveries)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(fromStatuses(id, from))
    .returning();
  return rows[0] ?? null;
}

/**
 * The guard of every transition: this row, while its status is still one of `from`. One array
 * parameter: the statement text is the same for every `from`, so it is prepared once per
 * connection (`in ($2, $3)` would be a statement per list length).
 */
function fromStatuses(id: string | Placeholder, from: DeliveryStatus[]): SQL | undefined {
  return and(eq(deliveries.id, id), sql`${deliveries.status} = any(${sql.param(from)})`);
}

function isForeignKeyViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if ((current as { code?: unknown }).code === '23503') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
