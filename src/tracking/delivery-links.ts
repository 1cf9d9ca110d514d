import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveries, deliveryLinks } from '../db/schema';
import type { TrackedLink } from './rewrite-links';

/**
 * Remembers a delivery's rewritten links: the redirect only ever sends a customer to a URL stored
 * here (never one carried by the token), so Cairn is no open redirect. A retried send rewrites the
 * same content to the same indexes, so a second insert changes nothing.
 */
export async function storeDeliveryLinks(
  db: Database,
  deliveryId: string,
  links: TrackedLink[],
): Promise<void> {
  if (links.length === 0) return;
  await db
    .insert(deliveryLinks)
    .values(links.map((link) => ({ deliveryId, linkIndex: link.index, url: link.url })))
    .onConflictDoNothing();
}

/** The stored URL of one rewritten link, or null when the delivery has no such link. */
export async function findDeliveryLink(
  db: Database,
  deliveryId: string,
  linkIndex: number,
): Promise<string | null> {
  const rows = await db
    .select({ url: deliveryLinks.url })
    .from(deliveryLinks)
    .where(and(eq(deliveryLinks.deliveryId, deliveryId), eq(deliveryLinks.linkIndex, linkIndex)))
    .limit(1);
  return rows[0]?.url ?? null;
}

/**
 * Deletes the rewritten links of a customer's messages (their URLs may carry the customer's
 * own data): run while the ledger still names the customer, before it is anonymised.
 */
export async function eraseCustomerDeliveryLinks(
  db: Database,
  customerId: string,
): Promise<number> {
  const deleted = await db
    .delete(deliveryLinks)
    .where(
      sql`${deliveryLinks.deliveryId} in (select ${deliveries.id} from ${deliveries} where ${deliveries.customerId} = ${customerId})`,
    )
    .returning({ deliveryId: deliveryLinks.deliveryId });
  return deleted.length;
}

/** The rewritten links of a customer's messages, for their export. */
export function customerDeliveryLinks(
  db: Database,
  customerId: string,
): Promise<{ deliveryId: string; linkIndex: number; url: string }[]> {
  return db
    .select({
      deliveryId: deliveryLinks.deliveryId,
      linkIndex: deliveryLinks.linkIndex,
      url: deliveryLinks.url,
    })
    .from(deliveryLinks)
    .innerJoin(deliveries, eq(deliveries.id, deliveryLinks.deliveryId))
    .where(eq(deliveries.customerId, customerId))
    .orderBy(deliveryLinks.deliveryId, deliveryLinks.linkIndex);
}
