import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries } from '../db/schema';

/** The workflow id an anonymised delivery shows: the real one names the customer. */
export const ERASED_WORKFLOW_ID = 'erased';

/**
 * An erased customer's deliveries stay in the ledger, anonymised, so counts per journey, version,
 * step, channel, kind and status stay right: the customer, the address, the rendered subject,
 * the channel's details (tokens, per-token results) and the provider's message id (which the
 * provider can map back to the recipient) are removed, and the key and workflow id, which name
 * the customer, are replaced. Provider callbacks then find no delivery, and tracking links none.
 */
export async function anonymiseCustomerDeliveries(
  db: Database,
  customerId: string,
): Promise<number> {
  const anonymised = await db
    .update(deliveries)
    .set({
      customerId: null,
      deliveryKey: sql`'erased:' || ${deliveries.id}::text`,
      workflowId: ERASED_WORKFLOW_ID,
      recipient: null,
      subject: null,
      providerMessageId: null,
      detail: null,
      updatedAt: sql`now()`,
    })
    .where(eq(deliveries.customerId, customerId))
    .returning({ id: deliveries.id });
  return anonymised.length;
}
