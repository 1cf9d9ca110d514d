import { and, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries } from '../db/schema';
import type { JsonObject } from '../journeys/run-types';
import type { DeliveryRow } from './delivery-row';

/** What a bounce or complaint report says about one message. */
export interface DeliveryBounce {
  channel: 'email' | 'sms';
  kind: 'hard_bounce' | 'soft_bounce' | 'complaint';
  source: string;
  /** The delivery it concerns, by our id or the provider's message id. */
  deliveryId?: string;
  providerMessageId?: string;
  code?: string;
  occurredAt: Date;
}

/**
 * The delivery a report names on its channel, locked for the caller's transaction so two reports
 * of one message apply one after the other. Null when the report names none we know.
 */
export async function findBouncedDelivery(
  db: Database,
  report: DeliveryBounce,
): Promise<DeliveryRow | null> {
  const keys: SQL[] = [];
  if (report.deliveryId) keys.push(eq(deliveries.id, report.deliveryId));
  if (report.providerMessageId) {
    keys.push(eq(deliveries.providerMessageId, report.providerMessageId));
  }
  if (keys.length === 0) return null;
  const rows = await db
    .select()
    .from(deliveries)
    .where(and(or(...keys), eq(deliveries.channel, report.channel)))
    .limit(1)
    .for('update');
  return rows[0] ?? null;
}

/**
 * The ledger keeps "sent, then bounced" visible: sentAt stays as recorded and the bounce goes in
 * detail.bounce with its kind, source, code and time.
 * - hard bounce: status failed, reason hard_bounce, providerCode the bounce code — the message
 *   never reached anyone, as with Twilio's undelivered;
 * - complaint: status sent, reason complaint — the message was delivered, and read;
 * - soft bounce: status sent, detail only — the provider may still deliver it.
 * Only rows settled as sent or unknown change (pending/sending belong to a send in flight, and
 * skipped/failed rows were never delivered); a row whose reason already records a bounce or
 * complaint is kept, so the first verdict stands. A report proves the provider took the message,
 * so an unknown row becomes sent or failed. Returns whether the row changed.
 */
export async function recordBounceOnDelivery(
  db: Database,
  row: DeliveryRow,
  report: DeliveryBounce,
): Promise<boolean> {
  const updated = await db
    .update(deliveries)
    .set({ ...bouncePatch(row, report), updatedAt: sql`now()` })
    .where(
      and(
        eq(deliveries.id, row.id),
        inArray(deliveries.status, ['sent', 'unknown']),
        or(isNull(deliveries.reason), eq(deliveries.status, 'unknown')),
      ),
    )
    .returning({ id: deliveries.id });
  return updated.length > 0;
}

function bouncePatch(row: DeliveryRow, report: DeliveryBounce) {
  const bounce: JsonObject = {
    kind: report.kind,
    source: report.source,
    code: report.code ?? null,
    at: report.occurredAt.toISOString(),
  };
  const detail: JsonObject = { ...(row.detail ?? {}), bounce };
  if (report.kind === 'hard_bounce') {
    return {
      status: 'failed' as const,
      reason: 'hard_bounce',
      providerCode: report.code ?? 'hard_bounce',
      detail,
    };
  }
  return {
    status: 'sent' as const,
    reason: report.kind === 'complaint' ? 'complaint' : null,
    detail,
  };
}
