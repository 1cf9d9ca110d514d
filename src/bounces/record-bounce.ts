import { createHash } from 'node:crypto';
import { customersWithAddress } from '../customers';
import type { Database } from '../db/database';
import type { SuppressionReason } from '../db/schema';
import type { DeliveryRow } from '../deliveries/delivery-row';
import {
  findBouncedDelivery,
  recordBounceOnDelivery,
} from '../deliveries/record-bounce-on-delivery';
import type { JsonObject } from '../journeys/run-types';
import { recordEvents } from '../routing/record-events';
import { suppressionForSendFailure } from '../guardrails/bounce-rules';
import {
  addSuppression,
  InvalidAddressError,
  normaliseAddress,
  type SuppressionChannel,
} from '../guardrails/suppression';

export type BounceKind = 'hard_bounce' | 'soft_bounce' | 'complaint';
export type BounceChannel = 'email' | 'sms';

export interface BounceReport {
  channel: BounceChannel;
  address: string;
  kind: BounceKind;
  /** Where it came from: bounce_webhook, smtp, twilio. */
  source: string;
  /** The delivery it concerns, by our id or the provider's message id. */
  deliveryId?: string;
  providerMessageId?: string;
  /** A machine-readable code from the provider ("5.1.1", "smtp_550"); never free text. */
  code?: string;
  occurredAt: Date;
}

export interface BounceOutcome {
  /** added: a new entry; existing: the address was suppressed already; none: not a suppression. */
  suppression: 'added' | 'existing' | 'none';
  /** Whether the report named a delivery we know on this channel. */
  deliveryFound: boolean;
  /** Whether that delivery's ledger row now shows the bounce or complaint. */
  deliveryUpdated: boolean;
  /** How many events were newly stored (a repeated report stores none). */
  eventsStored: number;
}

const SUPPRESSES: Record<BounceKind, SuppressionReason | null> = {
  hard_bounce: 'hard_bounce',
  complaint: 'complaint',
  soft_bounce: null,
};

/**
 * Records a bounce or complaint in one transaction:
 * - hard bounces and complaints suppress the address (soft bounces never do);
 * - the delivery, when known and settled as sent or unknown, shows it (see
 *   src/deliveries/record-bounce-on-delivery.ts);
 * - an event (email_bounced, email_complained, sms_failed, sms_complained) is stored for the
 *   delivery's customer, or else for every customer with that address, linked to the delivery,
 *   with an id derived from the report so a repeated webhook stores nothing twice.
 * Throws InvalidAddressError for an address the channel cannot use.
 */
export async function recordBounce(
  db: Database,
  report: BounceReport,
  options: { now?: Date } = {},
): Promise<BounceOutcome> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const suppression = await suppress(tx, report);
    const delivery = await findBouncedDelivery(tx, report);
    const deliveryUpdated = delivery ? await recordBounceOnDelivery(tx, delivery, report) : false;
    // A delivery of an erased customer has no owner left to tell (src/privacy).
    const owners = delivery
      ? [delivery.customerId].filter((id): id is string => id !== null)
      : await customersWithAddress(tx, report.channel, normalised(report));
    const eventsStored = await storeBounceEvents(tx, report, delivery, owners, now);
    return { suppression, deliveryFound: delivery !== null, deliveryUpdated, eventsStored };
  });
}

export interface BounceBatchOutcome {
  /** New suppressions, deliveries named and found, deliveries whose row changed. */
  suppressed: number;
  deliveriesMatched: number;
  deliveriesUpdated: number;
  /** How many events were newly stored (the caller wakes the router once committed). */
  eventsStored: number;
}

/** Records a batch of reports all or nothing, in one transaction. */
export async function recordBounces(
  db: Database,
  reports: BounceReport[],
  options: { now?: Date } = {},
): Promise<BounceBatchOutcome> {
  return db.transaction(async (tx) => {
    const totals: BounceBatchOutcome = {
      suppressed: 0,
      deliveriesMatched: 0,
      deliveriesUpdated: 0,
      eventsStored: 0,
    };
    for (const report of reports) {
      const outcome = await recordBounce(tx, report, options);
      if (outcome.suppression === 'added') totals.suppressed += 1;
      if (outcome.deliveryFound) totals.deliveriesMatched += 1;
      if (outcome.deliveryUpdated) totals.deliveriesUpdated += 1;
      totals.eventsStored += outcome.eventsStored;
    }
    return totals;
  });
}

/**
 * Called by the send path when a provider refuses a message permanently at send time (SMTP 5xx
 * on RCPT, Twilio 21211, ...): suppresses the address when the code says it is dead. Returns the
 * reason it was suppressed for, or null when the code is not about the address.
 */
export async function suppressAfterSendFailure(
  db: Database,
  input: { channel: string; address: string; code: string },
): Promise<SuppressionReason | null> {
  const reason = suppressionForSendFailure(input.channel, input.code);
  if (!reason || !isSuppressionChannel(input.channel)) return null;
  const source = input.channel === 'email' ? 'smtp' : 'twilio';
  await addSuppression(db, { channel: input.channel, address: input.address, reason, source });
  return reason;
}

async function suppress(db: Database, report: BounceReport): Promise<BounceOutcome['suppression']> {
  const reason = SUPPRESSES[report.kind];
  if (!reason) {
    normalised(report); // still refuses an address the channel cannot use
    return 'none';
  }
  const { created } = await addSuppression(db, {
    channel: report.channel,
    address: report.address,
    reason,
    source: report.source,
  });
  return created ? 'added' : 'existing';
}

const EVENT_TYPES: Record<BounceChannel, Record<BounceKind, string>> = {
  email: {
    hard_bounce: 'email_bounced',
    soft_bounce: 'email_bounced',
    complaint: 'email_complained',
  },
  sms: { hard_bounce: 'sms_failed', soft_bounce: 'sms_failed', complaint: 'sms_complained' },
};

async function storeBounceEvents(
  db: Database,
  report: BounceReport,
  delivery: DeliveryRow | null,
  owners: string[],
  now: Date,
): Promise<number> {
  if (owners.length === 0) return 0;
  const properties: JsonObject = {
    channel: report.channel,
    kind: report.kind,
    ...(report.kind !== 'complaint'
      ? { bounceType: report.kind === 'hard_bounce' ? 'hard' : 'soft' }
      : {}),
    source: report.source,
    code: report.code ?? null,
    deliveryId: delivery?.id ?? null,
    journeyId: delivery?.journeyId ?? null,
    stepId: delivery?.stepId ?? null,
  };
  const reportKey = delivery ? delivery.id : digest(report);
  const stored = await recordEvents(
    db,
    owners.map((customerId) => ({
      id: `bounce:${report.kind}:${reportKey}:${customerId}`,
      customerId,
      type: EVENT_TYPES[report.channel][report.kind],
      occurredAt: report.occurredAt.toISOString(),
      properties,
      // Linked to the delivery (its customer is the only owner then): routed to its run only.
      ...(delivery ? { deliveryId: delivery.id } : {}),
    })),
    { now, source: report.source },
  );
  return stored.filter((s) => !s.duplicate).length;
}

/** Identifies a report without a delivery; the address only ever appears hashed. */
function digest(report: BounceReport): string {
  return createHash('sha256')
    .update(
      [report.channel, normalised(report), report.kind, report.occurredAt.toISOString()].join('\n'),
    )
    .digest('hex')
    .slice(0, 32);
}

function normalised(report: BounceReport): string {
  const result = normaliseAddress(report.channel, report.address);
  if (!result.ok) throw new InvalidAddressError(report.channel, result.problem);
  return result.address;
}

function isSuppressionChannel(channel: string): channel is SuppressionChannel {
  return channel === 'email' || channel === 'sms' || channel === 'push';
}
