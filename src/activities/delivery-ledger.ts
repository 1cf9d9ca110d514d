import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries, type DeliveryStatus } from '../db/schema';
import type { SendOutcome } from '../journeys/run-types';
import type { SendMessageRequest } from './types';

export type DeliveryRow = typeof deliveries.$inferSelect;

/** Recorded when a retry finds a send that may or may not have reached the provider. */
export const OUTCOME_UNKNOWN = 'outcome_unknown_after_interrupted_send';

/**
 * The delivery id is derived from the key, so it is known before the row exists (the Message-ID
 * header uses it) and is the same on every attempt. UUID-shaped (version 8, name-based).
 */
export function deliveryIdFor(deliveryKey: string): string {
  const hex = createHash('sha256')
    .update(`cairn-delivery:${deliveryKey}`)
    .digest('hex')
    .slice(0, 32)
    .split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * Creates the row for this key unless it exists, then reads it back. Returns null when the
 * customer does not exist (the ledger references customers, so there is nothing to record against).
 */
export async function openDelivery(
  db: Database,
  request: SendMessageRequest,
  id: string,
): Promise<DeliveryRow | null> {
  try {
    await db
      .insert(deliveries)
      .values({
        id,
        deliveryKey: request.deliveryKey,
        customerId: request.customerId,
        journeyId: request.journeyId,
        journeyVersion: request.journeyVersion,
        workflowId: request.workflowId,
        stepId: request.stepId,
        channel: request.channel,
        messageKind: request.messageKind,
        status: 'pending',
      })
      .onConflictDoNothing({ target: deliveries.deliveryKey });
  } catch (error) {
    if (isForeignKeyViolation(error)) return null;
    throw error;
  }
  return readDelivery(db, request.deliveryKey);
}

export async function readDelivery(db: Database, deliveryKey: string): Promise<DeliveryRow> {
  const rows = await db
    .select()
    .from(deliveries)
    .where(eq(deliveries.deliveryKey, deliveryKey))
    .limit(1);
  const row = rows[0];
  if (!row) throw new Error(`delivery ${deliveryKey} vanished after it was written`);
  return row;
}

type DeliveryPatch = Partial<
  Pick<
    DeliveryRow,
    | 'status'
    | 'reason'
    | 'recipient'
    | 'subject'
    | 'providerMessageId'
    | 'providerCode'
    | 'detail'
    | 'sentAt'
  >
>;

/**
 * Moves the row from one of `from` to the patched state, atomically: the update only applies when
 * the status is still what this attempt saw. Returns the new row, or null when another attempt
 * moved it first.
 */
export async function transition(
  db: Database,
  id: string,
  from: DeliveryStatus[],
  patch: DeliveryPatch,
  options: { countAttempt?: boolean } = {},
): Promise<DeliveryRow | null> {
  const rows = await db
    .update(deliveries)
    .set({
      ...patch,
      updatedAt: sql`now()`,
      ...(options.countAttempt ? { attempts: sql`${deliveries.attempts} + 1` } : {}),
    })
    .where(and(eq(deliveries.id, id), inArray(deliveries.status, from)))
    .returning();
  return rows[0] ?? null;
}

/** The outcome a finished row records; null while the delivery is still pending or sending. */
export function recordedOutcome(row: DeliveryRow): SendOutcome | null {
  switch (row.status) {
    case 'sent':
      return { status: 'sent', deliveryId: row.id };
    case 'skipped':
      return { status: 'skipped', deliveryId: row.id, reason: row.reason ?? 'skipped' };
    case 'failed':
      return { status: 'failed', deliveryId: row.id, reason: row.reason ?? 'failed' };
    case 'unknown':
      return { status: 'failed', deliveryId: row.id, reason: row.reason ?? OUTCOME_UNKNOWN };
    case 'pending':
    case 'sending':
      return null;
  }
}

function isForeignKeyViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if ((current as { code?: unknown }).code === '23503') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
