import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries, type SuppressionReason } from '../db/schema';
import { classifyTwilioFailure } from '../guardrails/bounce-rules';
import { addSuppression, InvalidAddressError } from '../guardrails/suppression';
import type { JsonObject } from '../journeys/run-types';
import { recordEvents } from '../routing/record-events';
import type { DeliveryRow } from './delivery-row';

/** What Twilio reports for one message (MessageSid, MessageStatus, ErrorCode, our ?deliveryId). */
export interface StatusReport {
  messageSid: string;
  status: string;
  errorCode?: string;
  /** From the callback URL the SMS channel set; finds the row before the ledger knows the sid. */
  deliveryId?: string;
}

export interface StatusOutcome {
  found: boolean;
  /** Whether an event was newly stored (the caller wakes the router once this has committed). */
  eventStored: boolean;
  /** Set when the failure code says the number is dead and it was (or already is) suppressed. */
  suppression?: SuppressionReason;
}

/**
 * Twilio's message lifecycle, by progress. Callbacks can arrive out of order (delivered before
 * sent); a report never moves a delivery back to an earlier state.
 */
const PROGRESS: Record<string, number> = {
  accepted: 1,
  scheduled: 1,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
};

const EVENT_TYPES: Record<string, string> = {
  sent: 'sms_sent',
  delivered: 'sms_delivered',
  undelivered: 'sms_undelivered',
  failed: 'sms_failed',
};

const FAILURES = new Set(['undelivered', 'failed', 'canceled']);

/** Rows a callback may update; pending/sending rows belong to the send in flight. */
const SETTLED = new Set(['sent', 'failed', 'unknown']);

/**
 * Applies one status report in one transaction: the delivery row (detail.deliveryStatus,
 * providerCode, and failed with a reason for undelivered/failed) and an event with the
 * idempotency id twilio:<MessageSid>:<MessageStatus>. An unknown sid changes nothing.
 */
export async function applyStatusReport(
  db: Database,
  report: StatusReport,
  options: { now: Date },
): Promise<StatusOutcome> {
  return db.transaction(async (tx) => {
    const row = await findDelivery(tx, report);
    if (!row) return { found: false, eventStored: false };
    const eventStored = await storeStatusEvent(tx, row, report, options);
    if (SETTLED.has(row.status) && advances(row, report.status)) {
      await tx
        .update(deliveries)
        .set(patchFor(row, report, options.now))
        .where(eq(deliveries.id, row.id));
    }
    const suppression = await suppressDeadNumber(tx, row, report);
    return { found: true, eventStored, ...(suppression ? { suppression } : {}) };
  });
}

/**
 * A failure whose code says the number cannot take SMS (see bounce-rules.ts) suppresses the
 * number the message went to, so no later message tries it again, whatever the customer.
 */
async function suppressDeadNumber(
  db: Database,
  row: DeliveryRow,
  report: StatusReport,
): Promise<SuppressionReason | null> {
  if (!FAILURES.has(report.status) || !report.errorCode || !row.recipient) return null;
  const reason = classifyTwilioFailure(Number(report.errorCode));
  if (!reason) return null;
  try {
    await addSuppression(db, { channel: 'sms', address: row.recipient, reason, source: 'twilio' });
  } catch (error) {
    // The ledger only records numbers the send path accepted; an unusable one is suppressed anyway.
    if (error instanceof InvalidAddressError) return null;
    throw error;
  }
  return reason;
}

async function findDelivery(db: Database, report: StatusReport): Promise<DeliveryRow | null> {
  const bySid = eq(deliveries.providerMessageId, report.messageSid);
  const where = report.deliveryId
    ? and(eq(deliveries.id, report.deliveryId), or(isNull(deliveries.providerMessageId), bySid))
    : bySid;
  const rows = await db
    .select()
    .from(deliveries)
    .where(and(where, eq(deliveries.channel, 'sms')))
    .limit(1)
    .for('update');
  return rows[0] ?? null;
}

async function storeStatusEvent(
  db: Database,
  row: DeliveryRow,
  report: StatusReport,
  options: { now: Date },
): Promise<boolean> {
  const type = EVENT_TYPES[report.status];
  // An erased customer's delivery (src/privacy) has nobody to store an event for.
  if (!type || row.customerId === null) return false;
  const properties: JsonObject = {
    deliveryId: row.id,
    journeyId: row.journeyId,
    stepId: row.stepId,
    status: report.status,
    errorCode: report.errorCode ?? null,
  };
  const id = `twilio:${report.messageSid}:${report.status}`;
  const customerId = row.customerId;
  const [stored] = await recordEvents(db, [{ id, customerId, type, properties }], {
    ...options,
    source: 'twilio',
  });
  return stored !== undefined && !stored.duplicate;
}

function advances(row: DeliveryRow, status: string): boolean {
  const next = PROGRESS[status];
  if (next === undefined) return false;
  const recorded = row.detail?.deliveryStatus;
  const current = typeof recorded === 'string' ? (PROGRESS[recorded] ?? 0) : 0;
  return next > current;
}

function patchFor(row: DeliveryRow, report: StatusReport, now: Date) {
  const failed = FAILURES.has(report.status);
  const code = report.errorCode ? `twilio_${report.errorCode}` : null;
  const detail: JsonObject = {
    ...(row.detail ?? {}),
    deliveryStatus: report.status,
    deliveryStatusAt: now.toISOString(),
    ...(report.status === 'delivered' ? { deliveredAt: now.toISOString() } : {}),
    ...(code ? { errorCode: code } : {}),
  };
  return {
    detail,
    providerMessageId: report.messageSid,
    providerCode: code ?? report.status,
    updatedAt: sql`now()`,
    ...(failed
      ? { status: 'failed' as const, reason: code ? `provider_rejected:${code}` : report.status }
      : { status: 'sent' as const, sentAt: row.sentAt ?? now }),
  };
}
