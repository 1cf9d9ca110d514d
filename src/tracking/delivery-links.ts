import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deliveryLinks } from '../db/schema';
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
