import { asc, eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import {
  customerLifecycle,
  customerScores,
  lifecycleDueChecks,
  profileRuleApplications,
  rfmScores,
  scoreContributions,
  segmentDueChecks,
  segmentMemberships,
} from '../db/schema';

/**
 * A customer's rows of every table the audience layer keeps live (segment membership and its due
 * checks, scores and their contributions, RFM cells, applied profile rules, the lifecycle stage and its due
 * check): read for their export, deleted at their erasure. Deleted without segment_exited or
 * lifecycle_changed events: the customer is gone, not moved, and no journey may start for them.
 */
export const AUDIENCE_TABLES = {
  segment_memberships: segmentMemberships,
  segment_due_checks: segmentDueChecks,
  customer_scores: customerScores,
  score_contributions: scoreContributions,
  rfm_scores: rfmScores,
  profile_rule_applications: profileRuleApplications,
  customer_lifecycle: customerLifecycle,
  lifecycle_due_checks: lifecycleDueChecks,
} as const;

/** Rows deleted per table. */
export async function eraseCustomerAudience(
  db: Database,
  customerId: string,
): Promise<Record<keyof typeof AUDIENCE_TABLES, number>> {
  const counts = {} as Record<keyof typeof AUDIENCE_TABLES, number>;
  for (const [name, table] of Object.entries(AUDIENCE_TABLES) as [
    keyof typeof AUDIENCE_TABLES,
    (typeof AUDIENCE_TABLES)[keyof typeof AUDIENCE_TABLES],
  ][]) {
    const deleted = await db
      .delete(table)
      .where(eq(table.customerId, customerId))
      .returning({ customerId: table.customerId });
    counts[name] = deleted.length;
  }
  return counts;
}

export interface MembershipRecord {
  segmentId: string;
  version: number;
  enteredAt: Date;
  exitedAt: Date | null;
}

/** Every segment the customer entered, with the latest entry and exit. */
export function customerMemberships(db: Database, customerId: string): Promise<MembershipRecord[]> {
  return db
    .select({
      segmentId: segmentMemberships.segmentId,
      version: segmentMemberships.version,
      enteredAt: segmentMemberships.enteredAt,
      exitedAt: segmentMemberships.exitedAt,
    })
    .from(segmentMemberships)
    .where(eq(segmentMemberships.customerId, customerId))
    .orderBy(asc(segmentMemberships.segmentId));
}
