import { and, asc, count, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from '../db/database';
import { segmentMemberships } from '../db/schema';

export interface Member {
  customerId: string;
  version: number;
  enteredAt: Date;
}

/** A page of a segment's current members in customer id order (keyset, so pages never skip). */
export async function listMembers(
  db: Database,
  segmentId: string,
  page: { after?: string; limit: number },
): Promise<{ members: Member[]; next: string | null }> {
  const rows = await db
    .select({
      customerId: segmentMemberships.customerId,
      version: segmentMemberships.version,
      enteredAt: segmentMemberships.enteredAt,
    })
    .from(segmentMemberships)
    .where(
      and(
        eq(segmentMemberships.segmentId, segmentId),
        isNull(segmentMemberships.exitedAt),
        ...(page.after !== undefined ? [gt(segmentMemberships.customerId, page.after)] : []),
      ),
    )
    .orderBy(asc(segmentMemberships.customerId))
    .limit(page.limit + 1);
  const members = rows.slice(0, page.limit);
  return {
    members,
    next: rows.length > page.limit ? (members.at(-1)?.customerId ?? null) : null,
  };
}

/** Current members per segment id. */
export async function memberCounts(db: Database): Promise<Map<string, number>> {
  const rows = await db
    .select({ segmentId: segmentMemberships.segmentId, members: count() })
    .from(segmentMemberships)
    .where(isNull(segmentMemberships.exitedAt))
    .groupBy(segmentMemberships.segmentId);
  return new Map(rows.map((row) => [row.segmentId, row.members]));
}

/** The segments a customer is in now, with when they entered. */
export async function segmentsOfCustomer(
  db: Database,
  customerId: string,
): Promise<{ segmentId: string; enteredAt: Date }[]> {
  return db
    .select({ segmentId: segmentMemberships.segmentId, enteredAt: segmentMemberships.enteredAt })
    .from(segmentMemberships)
    .where(and(eq(segmentMemberships.customerId, customerId), isNull(segmentMemberships.exitedAt)))
    .orderBy(asc(segmentMemberships.segmentId));
}
