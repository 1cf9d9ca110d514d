import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { suppressions, type SuppressionReason } from '../db/schema';
import { normaliseAddress, type SuppressionChannel, type SuppressionRow } from './suppression';

export interface Address {
  channel: SuppressionChannel;
  address: string;
}

/** The suppression entries of these addresses (a customer's export lists their own). */
export async function suppressionsOf(
  db: Database,
  addresses: readonly Address[],
): Promise<SuppressionRow[]> {
  const found: SuppressionRow[] = [];
  for (const [channel, normalised] of byChannel(addresses)) {
    found.push(
      ...(await db
        .select()
        .from(suppressions)
        .where(
          and(
            eq(suppressions.channel, channel),
            sql`${suppressions.address} = any(${sql.param(normalised)})`,
          ),
        )),
    );
  }
  return found;
}

/**
 * Removes these addresses' entries from the list and returns what they were, for an erasure:
 * the list names addresses in clear, so the erased customer's entries leave it, and src/privacy
 * keeps their block as a keyed hash (a hard bounce keeps blocking the address after erasure).
 */
export async function takeSuppressions(
  db: Database,
  addresses: readonly Address[],
): Promise<(Address & { reason: SuppressionReason })[]> {
  const taken: (Address & { reason: SuppressionReason })[] = [];
  for (const [channel, normalised] of byChannel(addresses)) {
    const rows = await db
      .delete(suppressions)
      .where(
        and(
          eq(suppressions.channel, channel),
          sql`${suppressions.address} = any(${sql.param(normalised)})`,
        ),
      )
      .returning({ address: suppressions.address, reason: suppressions.reason });
    taken.push(...rows.map((row) => ({ channel, address: row.address, reason: row.reason })));
  }
  return taken;
}

/** The addresses in the list's own form, by channel; ones it cannot hold are left out. */
function byChannel(addresses: readonly Address[]): Map<SuppressionChannel, string[]> {
  const grouped = new Map<SuppressionChannel, string[]>();
  for (const { channel, address } of addresses) {
    const normalised = normaliseAddress(channel, address);
    if (!normalised.ok) continue;
    grouped.set(channel, [...new Set([...(grouped.get(channel) ?? []), normalised.address])]);
  }
  return grouped;
}
