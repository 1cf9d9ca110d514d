import { existingCustomerIds } from '../customers';
import type { Database } from '../db/database';
import {
  change as membershipChange,
  enter,
  exit,
  recordMembershipEvents,
  type MembershipChange,
} from './membership-changes';
import { findSegment } from './segment-catalogue';

export interface ManualChange {
  add: string[];
  remove: string[];
}

export interface ManualOutcome {
  /** Customers who became members (those already in are not counted again). */
  entered: number;
  /** Members who were taken out. */
  exited: number;
  /** Ids that name no customer: nothing is stored for them. */
  unknownCustomers: string[];
}

/** Not a manual segment (missing, or a rule segment, whose members only its condition decides). */
export class NotManualSegmentError extends Error {
  constructor(readonly reason: 'not_found' | 'rule_segment') {
    super(
      reason === 'not_found' ? 'no segment with this id' : 'a rule segment decides its members',
    );
    this.name = 'NotManualSegmentError';
  }
}

/**
 * Adds and removes members of a manual segment in one transaction, each entry and exit with its
 * event; an id both added and removed is removed. Unknown customers are reported, not stored, and
 * the rest still apply: a CSV export of a CRM list often holds ids Cairn has never seen.
 */
export async function changeManualMembers(
  db: Database,
  segmentId: string,
  change: ManualChange,
  now: Date,
): Promise<ManualOutcome> {
  const segment = await findSegment(db, segmentId);
  if (!segment) throw new NotManualSegmentError('not_found');
  if (segment.kind !== 'manual') throw new NotManualSegmentError('rule_segment');
  const ref = { id: segment.id, version: segment.activeVersion };
  const known = await existingCustomerIds(db, [...change.add, ...change.remove]);
  const removed = new Set(change.remove);
  const add = change.add.filter((id) => known.has(id) && !removed.has(id));
  const remove = change.remove.filter((id) => known.has(id));
  const unknownCustomers = [...new Set([...change.add, ...change.remove])].filter(
    (id) => !known.has(id),
  );
  return db.transaction(async (tx) => {
    const entered = await enter(tx, ref, add, now);
    const exited = await exit(tx, ref, remove, now);
    const changes: MembershipChange[] = [
      ...entered.map((customerId) => membershipChange(ref, customerId, 'entered')),
      ...exited.map((customerId) => membershipChange(ref, customerId, 'exited')),
    ];
    await recordMembershipEvents(tx, changes, now);
    return { entered: entered.length, exited: exited.length, unknownCustomers };
  });
}
