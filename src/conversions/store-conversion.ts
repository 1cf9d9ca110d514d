import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { conversions, deliveries } from '../db/schema';
import { ATTRIBUTION_MODELS, type Attribution, type AttributionModel } from './attribution';
import type { RunMessage } from './run-messages';

export interface StoredCredit {
  deliveryId: string;
  stepId: string;
  channel: string;
  weight: number;
  revenue: number;
}

export interface StoredConversion {
  /** false: this goal event was already credited to the run's messages; nothing was written. */
  created: boolean;
  /** Distinct messages credited. */
  touches: number;
  models: Record<AttributionModel, StoredCredit[]>;
}

export interface ConversionFacts {
  eventId: string;
  customerId: string;
  workflowId: string;
  occurredAt: Date;
  currency: string | null;
}

/**
 * Writes one row per (event, model, credited message), once. Under a lock on the event id, a
 * conversion already stored for this run's messages is returned as stored instead of being
 * attributed again: a retry, or the same goal event id twice, writes nothing and answers the
 * same credits even if a late click arrived in between (so weights keep adding up to 1).
 */
export async function storeConversion(
  db: Database,
  facts: ConversionFacts,
  attribution: Attribution,
  messages: readonly RunMessage[],
): Promise<StoredConversion> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`conversion:${facts.eventId}`}))`);
    const existing = await loadStoredCredits(tx, facts);
    if (existing.length > 0) return summarise(false, existing);
    const rows = conversionRows(facts, attribution, messages);
    if (rows.length > 0) await tx.insert(conversions).values(rows).onConflictDoNothing();
    return summarise(
      true,
      rows.map((row) => ({ ...row, revenue: row.revenue ?? 0 })),
    );
  });
}

type ConversionRow = typeof conversions.$inferInsert;

function conversionRows(
  facts: ConversionFacts,
  attribution: Attribution,
  messages: readonly RunMessage[],
): ConversionRow[] {
  const byId = new Map(messages.map((m) => [m.deliveryId, m]));
  return ATTRIBUTION_MODELS.flatMap((model) =>
    attribution.models[model].flatMap((credit) => {
      const message = byId.get(credit.deliveryId);
      if (!message) return [];
      return [
        {
          eventId: facts.eventId,
          customerId: facts.customerId,
          model,
          deliveryId: credit.deliveryId,
          journeyId: message.journeyId,
          journeyVersion: message.journeyVersion,
          stepId: message.stepId,
          channel: message.channel,
          weight: credit.weight,
          revenue: credit.revenue,
          currency: facts.currency,
          occurredAt: facts.occurredAt,
        },
      ];
    }),
  );
}

interface CreditRow extends StoredCredit {
  model: AttributionModel;
}

async function loadStoredCredits(db: Database, facts: ConversionFacts): Promise<CreditRow[]> {
  const runDeliveries = db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(eq(deliveries.workflowId, facts.workflowId));
  return db
    .select({
      model: conversions.model,
      deliveryId: conversions.deliveryId,
      stepId: conversions.stepId,
      channel: conversions.channel,
      weight: conversions.weight,
      revenue: conversions.revenue,
    })
    .from(conversions)
    .where(
      and(eq(conversions.eventId, facts.eventId), inArray(conversions.deliveryId, runDeliveries)),
    );
}

function summarise(created: boolean, rows: readonly CreditRow[]): StoredConversion {
  const models = Object.fromEntries(
    ATTRIBUTION_MODELS.map((model) => [
      model,
      rows
        .filter((row) => row.model === model)
        .sort(largestFirst)
        .map(({ deliveryId, stepId, channel, weight, revenue }) => ({
          deliveryId,
          stepId,
          channel,
          weight,
          revenue,
        })),
    ]),
  ) as Record<AttributionModel, StoredCredit[]>;
  const touches = new Set(rows.map((row) => row.deliveryId)).size;
  return { created, touches, models };
}

/** Credits are listed largest first, then by delivery id: the same order fresh or reloaded. */
function largestFirst(a: CreditRow, b: CreditRow): number {
  if (a.weight !== b.weight) return b.weight - a.weight;
  return a.deliveryId < b.deliveryId ? -1 : a.deliveryId > b.deliveryId ? 1 : 0;
}
