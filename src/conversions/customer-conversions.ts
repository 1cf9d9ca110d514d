import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { conversions } from '../db/schema';

export type ConversionRow = typeof conversions.$inferSelect;

/** A customer's conversion credits, oldest first, at most `limit` (the export reads them). */
export function customerConversions(
  db: Database,
  customerId: string,
  limit: number,
): Promise<ConversionRow[]> {
  return db
    .select()
    .from(conversions)
    .where(eq(conversions.customerId, customerId))
    .orderBy(asc(conversions.occurredAt), asc(conversions.id))
    .limit(limit);
}

/**
 * An erased customer's credits stay, anonymised, so GET /v1/conversions keeps its sums: the
 * customer goes and the goal event's id (the caller's, which may name them) is replaced by one
 * of the row's own, unique as the event id was per model and delivery.
 */
export async function anonymiseCustomerConversions(
  db: Database,
  customerId: string,
): Promise<number> {
  const anonymised = await db
    .update(conversions)
    .set({ customerId: null, eventId: sql`'erased:' || ${conversions.id}::text` })
    .where(eq(conversions.customerId, customerId))
    .returning({ id: conversions.id });
  return anonymised.length;
}
