import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { segmentDueChecks } from '../db/schema';
import { recordEvents } from '../routing';
import { SEGMENT_ENTERED, SEGMENT_EXITED } from './dependencies';

/** What an evaluation says of one customer: member or not, and when to look again. */
export interface MembershipVerdict {
  customerId: string;
  member: boolean;
  /** The next moment the answer can change with no new event; null: only an event can. */
  dueAt: Date | null;
}

export interface MembershipChange {
  segmentId: string;
  version: number;
  customerId: string;
  change: 'entered' | 'exited';
}

export interface SegmentRef {
  id: string;
  version: number;
}

/**
 * Writes what an evaluation found, in one transaction: entries and exits of the membership table,
 * each with its segment_entered / segment_exited event in the outbox, and the due re-checks.
 * Only a verdict that changes the stored membership counts (the conditional writes return the rows
 * they changed), so two evaluations of the same customer at once record one change, never two.
 * The changes of customers in `audienceOnly` are not news (caused by imported history, or found
 * by a segment's first computation): their events feed the audience and the timeline but are
 * never routed to a journey. Returns the changes.
 */
export async function applyVerdicts(
  db: Database,
  segment: SegmentRef,
  verdicts: MembershipVerdict[],
  now: Date,
  audienceOnly: ReadonlySet<string> = new Set(),
): Promise<MembershipChange[]> {
  if (verdicts.length === 0) return [];
  return db.transaction(async (tx) => {
    const entered = await enter(tx, segment, ids(verdicts, true), now);
    const exited = await exit(tx, segment, ids(verdicts, false), now);
    await scheduleDueChecks(tx, segment.id, verdicts);
    const changes = [
      ...entered.map((customerId) => change(segment, customerId, 'entered')),
      ...exited.map((customerId) => change(segment, customerId, 'exited')),
    ];
    const [quiet, live] = partition(changes, (c) => audienceOnly.has(c.customerId));
    await recordMembershipEvents(tx, live, now);
    await recordMembershipEvents(tx, quiet, now, { audienceOnly: true });
    return changes;
  });
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function ids(verdicts: MembershipVerdict[], member: boolean): string[] {
  return verdicts.filter((v) => v.member === member).map((v) => v.customerId);
}

export function change(
  segment: SegmentRef,
  customerId: string,
  kind: MembershipChange['change'],
): MembershipChange {
  return { segmentId: segment.id, version: segment.version, customerId, change: kind };
}

/**
 * Opens the membership of these customers where it is not open; returns those it opened. One
 * statement over an array parameter, whatever the number of customers.
 */
export async function enter(
  db: Database,
  segment: SegmentRef,
  customerIds: string[],
  now: Date,
): Promise<string[]> {
  if (customerIds.length === 0) return [];
  const rows = await db.execute(sql`
    insert into segment_memberships (segment_id, customer_id, version, entered_at, exited_at)
    select ${segment.id}::text, t.id, ${segment.version}::int, ${now.toISOString()}::timestamptz, null
      from unnest(${sql.param([...new Set(customerIds)])}::text[]) as t(id)
    on conflict (segment_id, customer_id) do update
       set version = excluded.version, entered_at = excluded.entered_at, exited_at = null
     where segment_memberships.exited_at is not null
    returning customer_id`);
  return rowsOf<{ customer_id: string }>(rows).map((row) => row.customer_id);
}

/** Closes the open membership of these customers; returns those it closed. */
export async function exit(
  db: Database,
  segment: SegmentRef,
  customerIds: string[],
  now: Date,
): Promise<string[]> {
  if (customerIds.length === 0) return [];
  const rows = await db.execute(sql`
    update segment_memberships
       set exited_at = ${now.toISOString()}::timestamptz, version = ${segment.version}::int
     where segment_id = ${segment.id}::text
       and customer_id = any(${sql.param([...new Set(customerIds)])}::text[])
       and exited_at is null
    returning customer_id`);
  return rowsOf<{ customer_id: string }>(rows).map((row) => row.customer_id);
}

async function scheduleDueChecks(
  db: Database,
  segmentId: string,
  verdicts: MembershipVerdict[],
): Promise<void> {
  const due = verdicts.filter((v) => v.dueAt !== null);
  const none = verdicts.filter((v) => v.dueAt === null).map((v) => v.customerId);
  if (none.length > 0) {
    await db
      .delete(segmentDueChecks)
      .where(
        and(eq(segmentDueChecks.segmentId, segmentId), inArray(segmentDueChecks.customerId, none)),
      );
  }
  if (due.length === 0) return;
  await db
    .insert(segmentDueChecks)
    .values(
      due.map((v) => ({
        segmentId,
        customerId: v.customerId,
        dueAt: v.dueAt as Date,
        fromHistory: false,
      })),
    )
    .onConflictDoUpdate({
      target: [segmentDueChecks.segmentId, segmentDueChecks.customerId],
      // A window edge is time passing, which is live whatever set the window.
      set: { dueAt: sql`excluded.due_at`, fromHistory: false },
    });
}

/** The changes as events, routed like any other (journeys trigger and exit on them). */
export async function recordMembershipEvents(
  db: Database,
  changes: MembershipChange[],
  now: Date,
  options: { audienceOnly?: boolean } = {},
): Promise<void> {
  if (changes.length === 0) return;
  await recordEvents(
    db,
    changes.map((c) => ({
      id: `${c.change === 'entered' ? SEGMENT_ENTERED : SEGMENT_EXITED}:${c.segmentId}:${c.customerId}:${now.getTime()}`,
      customerId: c.customerId,
      type: c.change === 'entered' ? SEGMENT_ENTERED : SEGMENT_EXITED,
      occurredAt: now.toISOString(),
      properties: { segment_id: c.segmentId, segment_version: c.version },
    })),
    { now, source: 'segments', audienceOnly: options.audienceOnly === true },
  );
}
