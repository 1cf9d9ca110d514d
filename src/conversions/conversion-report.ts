import { and, asc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { conversions } from '../db/schema';
import type { AttributionModel } from './attribution';

export interface ConversionFilter {
  model: AttributionModel;
  journeyId?: string;
  version?: number;
  stepId?: string;
  channel?: string;
  /** Inclusive, on the goal event's time. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
}

export interface ConversionTotals {
  conversions: number;
  revenue: Record<string, number>;
}

export interface ConversionGroupTotals extends ConversionTotals {
  journeyId: string;
  version: number;
  stepId: string;
  channel: string;
}

export interface ConversionReportData extends ConversionTotals {
  model: AttributionModel;
  by: ConversionGroupTotals[];
}

/** ISO 4217's code for "no currency": revenue recorded without one. */
export const NO_CURRENCY = 'XXX';

/**
 * Conversions under one model, summed per journey, version, step and channel. Sums are rounded
 * to the precision shares are stored with (millionths, ten-thousandths) so float noise from
 * adding many shares never shows as 0.9999999.
 */
export async function conversionReport(
  db: Database,
  filter: ConversionFilter,
): Promise<ConversionReportData> {
  const rows = await db
    .select({
      journeyId: conversions.journeyId,
      version: conversions.journeyVersion,
      stepId: conversions.stepId,
      channel: conversions.channel,
      currency: conversions.currency,
      conversions: sql<number>`sum(${conversions.weight})`.mapWith(Number),
      revenue: sql<number>`sum(${conversions.revenue})`.mapWith(Number),
    })
    .from(conversions)
    .where(and(...conditions(filter)))
    .groupBy(
      conversions.journeyId,
      conversions.journeyVersion,
      conversions.stepId,
      conversions.channel,
      conversions.currency,
    )
    .orderBy(
      asc(conversions.journeyId),
      asc(conversions.journeyVersion),
      asc(conversions.stepId),
      asc(conversions.channel),
    );
  const by = mergeCurrencies(rows);
  const totals = by.reduce<ConversionTotals>((sum, group) => addTotals(sum, group), {
    conversions: 0,
    revenue: {},
  });
  return {
    model: filter.model,
    ...roundTotals(totals),
    by: by.map((g) => ({ ...g, ...roundTotals(g) })),
  };
}

function conditions(filter: ConversionFilter): SQL[] {
  const where: SQL[] = [eq(conversions.model, filter.model)];
  if (filter.journeyId !== undefined) where.push(eq(conversions.journeyId, filter.journeyId));
  if (filter.version !== undefined) where.push(eq(conversions.journeyVersion, filter.version));
  if (filter.stepId !== undefined) where.push(eq(conversions.stepId, filter.stepId));
  if (filter.channel !== undefined) where.push(eq(conversions.channel, filter.channel));
  if (filter.since) where.push(gte(conversions.occurredAt, filter.since));
  if (filter.until) where.push(lt(conversions.occurredAt, filter.until));
  return where;
}

interface GroupRow {
  journeyId: string;
  version: number;
  stepId: string;
  channel: string;
  currency: string | null;
  conversions: number;
  revenue: number;
}

/** Rows come per currency, ordered by group: fold the currencies of one group together. */
function mergeCurrencies(rows: GroupRow[]): ConversionGroupTotals[] {
  const groups: ConversionGroupTotals[] = [];
  for (const { currency, conversions: count, revenue, ...key } of rows) {
    const last = groups[groups.length - 1];
    const group = last && sameGroup(last, key) ? last : { ...key, conversions: 0, revenue: {} };
    if (group !== last) groups.push(group);
    Object.assign(
      group,
      addTotals(group, { conversions: count, revenue: revenueMap(currency, revenue) }),
    );
  }
  return groups;
}

function revenueMap(currency: string | null, revenue: number): Record<string, number> {
  return revenue === 0 ? {} : { [currency ?? NO_CURRENCY]: revenue };
}

function sameGroup(
  a: Omit<GroupRow, 'currency' | 'conversions' | 'revenue'>,
  b: typeof a,
): boolean {
  return (
    a.journeyId === b.journeyId &&
    a.version === b.version &&
    a.stepId === b.stepId &&
    a.channel === b.channel
  );
}

function addTotals(a: ConversionTotals, b: ConversionTotals): ConversionTotals {
  const revenue = { ...a.revenue };
  for (const [currency, amount] of Object.entries(b.revenue)) {
    revenue[currency] = (revenue[currency] ?? 0) + amount;
  }
  return { conversions: a.conversions + b.conversions, revenue };
}

function roundTotals(totals: ConversionTotals): ConversionTotals {
  const revenue = Object.fromEntries(
    Object.entries(totals.revenue).map(([currency, amount]) => [currency, round(amount, 4)]),
  );
  return { conversions: round(totals.conversions, 6), revenue };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
