import { eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries } from '../db/schema';

/** What engagement (opens, clicks) needs of the delivery a tracking token names. */
export interface TrackedDelivery {
  id: string;
  customerId: string;
  workflowId: string;
  journeyId: string;
  stepId: string;
  channel: string;
  sentAt: Date | null;
}

export async function loadTrackedDelivery(
  db: Database,
  deliveryId: string,
): Promise<TrackedDelivery | null> {
  const rows = await db
    .select({
      id: deliveries.id,
      customerId: deliveries.customerId,
      workflowId: deliveries.workflowId,
      journeyId: deliveries.journeyId,
      stepId: deliveries.stepId,
      channel: deliveries.channel,
      sentAt: deliveries.sentAt,
    })
    .from(deliveries)
    .where(eq(deliveries.id, deliveryId))
    .limit(1);
  const row = rows[0];
  // An erased customer's delivery is anonymised (src/privacy): nothing is tracked for it.
  return row && row.customerId !== null ? { ...row, customerId: row.customerId } : null;
}
