import { and, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { describeFailure } from '../db/safe-error';
import { segments } from '../db/schema';
import { segmentDependencies } from './dependencies';
import { evaluateCustomers, evaluatePage } from './evaluate-members';
import { earlierCause, historyOnlyCustomers, type CausedEvent } from './history-cause';
import { requestStageChecks } from './lifecycle-changes';
import { applyVerdicts } from './membership-changes';
import { loadScoreCatalogue } from './score-catalogue';
import { activeRuleSegments, type ActiveRuleSegment } from './segment-catalogue';
import type { SegmentSqlContext } from './segment-sql';

export interface LiveMembershipOptions {
  db: Database;
  emailMarketingDefault: SegmentSqlContext['emailMarketingDefault'];
  clock?: () => Date;
  /** Due re-checks claimed at a time. Default 500. */
  dueBatch?: number;
  /** Customers per page when a new version is computed for everyone. Default 2,000. */
  computePage?: number;
  logger?: { error(obj: object, msg?: string): void };
}

/** What membership reads of a batch's event: whose it is, its type, whether it is history. */
type MembershipEvent = CausedEvent & { type: string };

/** How long a claimed due re-check stays hidden from other routers before it is due again. */
const DUE_LEASE_MS = 5 * 60_000;
/** When a segment could not be evaluated for a batch's customers, they are looked at again then. */
const RETRY_AFTER_MS = 30_000;

/**
 * Keeps rule segments' membership live, for the router (src/routing takes it as
 * `OutboxDeps.membership`): for each claimed batch of events, the segments those events can change
 * are evaluated for the batch's customers only; between batches, due re-checks (window edges) and
 * a page of a newly published version are done. Every change is written with its event in one
 * transaction (membership-changes.ts). A segment that cannot be evaluated (Postgres refused its
 * query) never holds routing back: it is logged, and its customers are due again shortly through
 * the due index, so membership catches up once the cause is gone.
 */
export function liveMembership(options: LiveMembershipOptions) {
  const clock = options.clock ?? (() => new Date());
  const { db } = options;
  // The score catalogue is read for every batch and page: a score published a moment ago is read
  // by the next one (a few rows).
  const context = async (reader: Database = db): Promise<SegmentSqlContext> => ({
    now: clock(),
    emailMarketingDefault: options.emailMarketingDefault,
    scores: await loadScoreCatalogue(reader),
  });

  async function evaluate(
    segment: ActiveRuleSegment,
    customerIds: string[],
    at: SegmentSqlContext,
    fromHistory: ReadonlySet<string>,
  ): Promise<number> {
    const verdicts = await evaluateCustomers(db, segment, customerIds, at);
    return (await applyVerdicts(db, segment, verdicts, at.now, fromHistory)).length;
  }

  return {
    /** The batch's customers, for the segments its events can change; returns the changes. */
    async forEvents(batch: readonly MembershipEvent[]): Promise<number> {
      const types = [...new Set(batch.map((e) => e.type))];
      if (types.length === 0) return 0;
      const fromHistory = historyOnlyCustomers(batch);
      let changes = 0;
      const segments = await activeRuleSegments(db, { eventTypes: types });
      if (segments.length === 0) return 0;
      const at = await context();
      for (const segment of segments) {
        const wanted = new Set(segmentDependencies(segment.condition, at.scores).eventTypes);
        const customerIds = batch.filter((e) => wanted.has(e.type)).map((e) => e.customerId);
        try {
          changes += await evaluate(segment, customerIds, at, fromHistory);
        } catch (error) {
          failed(segment.id, error);
          const retryAt = new Date(clock().getTime() + RETRY_AFTER_MS);
          await dueAgain(db, segment.id, customerIds, retryAt, fromHistory);
        }
      }
      return changes;
    },

    /** Due re-checks, then a page of a version still being computed; returns the work done. */
    async upkeep(): Promise<number> {
      const due = await runDueChecks();
      const computed = await computeNextPage().catch((error: unknown) => {
        failed('(computing a new version)', error);
        return 0;
      });
      return due + computed;
    },
  };

  function failed(segmentId: string, error: unknown): void {
    options.logger?.error(
      { segmentId, error: describeFailure(error) },
      'segment membership could not be evaluated',
    );
  }

  async function runDueChecks(): Promise<number> {
    const now = clock();
    const claimed = rowsOf<{ segment_id: string; customer_id: string; from_history: boolean }>(
      await db.execute(sql`
        update segment_due_checks d
           set due_at = ${new Date(now.getTime() + DUE_LEASE_MS).toISOString()}::timestamptz
          from (select segment_id, customer_id from segment_due_checks
                 where due_at <= ${now.toISOString()}::timestamptz
                 order by due_at limit ${options.dueBatch ?? 500}
                 for update skip locked) due
         where d.segment_id = due.segment_id and d.customer_id = due.customer_id
        returning d.segment_id, d.customer_id, d.from_history`),
    );
    if (claimed.length === 0) return 0;
    const bySegment = new Map<string, string[]>();
    for (const row of claimed) {
      bySegment.set(row.segment_id, [...(bySegment.get(row.segment_id) ?? []), row.customer_id]);
    }
    const live = await activeRuleSegments(db, { ids: [...bySegment.keys()] });
    const at = await context();
    for (const segment of live) {
      const fromHistory = new Set(
        claimed
          .filter((row) => row.segment_id === segment.id && row.from_history)
          .map((row) => row.customer_id),
      );
      // A failure leaves the claimed checks leased: they fall due again after DUE_LEASE_MS.
      await evaluate(segment, bySegment.get(segment.id) ?? [], at, fromHistory).catch(
        (error: unknown) => failed(segment.id, error),
      );
    }
    const gone = [...bySegment.keys()].filter((id) => !live.some((s) => s.id === id));
    if (gone.length > 0) {
      await db.execute(
        sql`delete from segment_due_checks where segment_id = any(${sql.param(gone)}::text[])`,
      );
    }
    return claimed.length;
  }

  /**
   * One page of a rule segment whose active version is not yet computed for everyone, under a
   * row lock (skip locked: routers side by side take different segments or wait their turn).
   */
  async function computeNextPage(): Promise<number> {
    const size = options.computePage ?? 2_000;
    return db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(segments)
        .where(
          and(
            eq(segments.kind, 'rule'),
            eq(segments.status, 'active'),
            ne(segments.computedVersion, segments.activeVersion),
          ),
        )
        .limit(1)
        .for('update', { skipLocked: true });
      if (!row) return 0;
      const [segment] = await activeRuleSegments(tx, { ids: [row.id] });
      if (!segment) return 0;
      const at = await context(tx);
      const verdicts = await evaluatePage(tx, segment, { after: row.computeCursor, size }, at);
      // A segment's first computation finds who is a member already, not who became one: its
      // entries start no journey (one published meanwhile would start for some pages only).
      const first = row.computedVersion === 0;
      const quiet = new Set(first ? verdicts.map((v) => v.customerId) : []);
      await applyVerdicts(tx, segment, verdicts, at.now, quiet);
      const done = verdicts.length < size;
      await tx
        .update(segments)
        .set(
          done
            ? { computedVersion: segment.version, computeCursor: null }
            : { computeCursor: verdicts.at(-1)?.customerId ?? null },
        )
        .where(eq(segments.id, row.id));
      return Math.max(verdicts.length, 1);
    });
  }
}

export type LiveMembership = ReturnType<typeof liveMembership>;

async function dueAgain(
  db: Database,
  segmentId: string,
  customerIds: string[],
  at: Date,
  fromHistory: ReadonlySet<string>,
) {
  const ids = [...new Set(customerIds)];
  await db.execute(sql`
    insert into segment_due_checks (segment_id, customer_id, due_at, from_history)
    select ${segmentId}::text, c.id, ${at.toISOString()}::timestamptz, c.from_history
      from unnest(${sql.param(ids)}::text[], ${sql.param(ids.map((id) => fromHistory.has(id)))}::boolean[])
           as c(id, from_history)
    on conflict (segment_id, customer_id) do update
       set due_at = least(segment_due_checks.due_at, excluded.due_at),
           from_history = ${earlierCause('segment_due_checks')}`);
}

/**
 * A profile changed (attributes, addresses, consent, device tokens) where no event says so: the
 * segments that read the profile, and the lifecycle stage, look at these customers again at
 * once, through the due indexes. `fromHistory`: imported history changed it, so what the checks
 * find starts no journey.
 */
export async function requestProfileChecks(
  db: Database,
  customerIds: string[],
  now: Date,
  fromHistory = false,
): Promise<void> {
  if (customerIds.length === 0) return;
  await db.execute(sql`
    insert into segment_due_checks (segment_id, customer_id, due_at, from_history)
    select s.id, c.id, ${now.toISOString()}::timestamptz, ${fromHistory}::boolean
      from segments s
      cross join unnest(${sql.param([...new Set(customerIds)])}::text[]) as c(id)
     where s.kind = 'rule' and s.status = 'active' and s.reads_profile
    on conflict (segment_id, customer_id) do update
       set due_at = least(segment_due_checks.due_at, excluded.due_at),
           from_history = ${earlierCause('segment_due_checks')}`);
  await requestStageChecks(db, customerIds, now, fromHistory);
}
