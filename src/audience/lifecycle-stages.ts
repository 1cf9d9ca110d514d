import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { describeFailure } from '../db/safe-error';
import { lifecycleStages, type LifecycleStage } from '../lifecycle/stages';
import type { AudienceEvent, AudienceUpkeep } from '../routing/types';
import { ScoreCatalogue } from '../scores';
import { segmentDependencies } from './dependencies';
import { evaluateFirstMatch } from './evaluate-members';
import { historyOnlyCustomers } from './history-cause';
import { applyStageVerdicts, requestStageChecks, type StageVerdict } from './lifecycle-changes';
import type { SegmentSqlContext } from './segment-sql';

export interface LifecycleStagesOptions {
  db: Database;
  emailMarketingDefault: SegmentSqlContext['emailMarketingDefault'];
  /** The ordered stages; the canonical list unless a test gives its own. */
  stages?: readonly LifecycleStage[];
  clock?: () => Date;
  /** Due re-checks claimed at a time. Default 500. */
  dueBatch?: number;
  logger?: { error(obj: object, msg?: string): void };
}

/**
 * The lifecycle stages read no scores (src/lifecycle/stages.ts): their conditions are compiled
 * with an empty catalogue, so a score condition in one would match nobody.
 */
const NO_SCORES = ScoreCatalogue.of([]);

/** How long a claimed due re-check stays hidden from other routers before it is due again. */
const DUE_LEASE_MS = 5 * 60_000;
/** When stages could not be evaluated for a batch's customers, they are looked at again then. */
const RETRY_AFTER_MS = 30_000;

/**
 * Keeps each customer's lifecycle stage live, as the last part of the audience pass (it reads
 * profile attributes the rules wrote and memberships the segments wrote): the stages of a
 * batch's customers are evaluated when one of its events can change a stage's rule, and between
 * batches the due re-checks (window edges, profile changes) are done. One query evaluates every
 * stage for every customer concerned (the segment compiler, first match wins); a change is
 * written with its `lifecycle_changed` event in one transaction (lifecycle-changes.ts).
 */
export function liveLifecycleStages(options: LifecycleStagesOptions): AudienceUpkeep {
  const stages = options.stages ?? lifecycleStages;
  const types = new Set(
    segmentDependencies({ any: stages.map((s) => s.where) }, NO_SCORES).eventTypes,
  );
  const clock = options.clock ?? (() => new Date());
  const { db } = options;
  const evaluate = (customerIds: string[], fromHistory: ReadonlySet<string>) =>
    evaluateStages(
      db,
      customerIds,
      { now: clock(), emailMarketingDefault: options.emailMarketingDefault, stages },
      fromHistory,
    );

  function failed(error: unknown): void {
    options.logger?.error(
      { error: describeFailure(error) },
      'lifecycle stages could not be evaluated',
    );
  }

  return {
    async forEvents(batch: readonly AudienceEvent[]): Promise<number> {
      const customerIds = [
        ...new Set(batch.filter((e) => types.has(e.type)).map((e) => e.customerId)),
      ];
      if (customerIds.length === 0) return 0;
      const fromHistory = historyOnlyCustomers(batch);
      try {
        return await evaluate(customerIds, fromHistory);
      } catch (error) {
        // Never holds routing back: the customers are due again shortly.
        failed(error);
        const at = new Date(clock().getTime() + RETRY_AFTER_MS);
        const history = customerIds.filter((id) => fromHistory.has(id));
        await requestStageChecks(db, history, at, true);
        await requestStageChecks(
          db,
          customerIds.filter((id) => !fromHistory.has(id)),
          at,
        );
        return 0;
      }
    },

    async upkeep(): Promise<number> {
      const now = clock();
      const claimed = rowsOf<{ customer_id: string; from_history: boolean }>(
        await db.execute(sql`
          update lifecycle_due_checks d
             set due_at = ${new Date(now.getTime() + DUE_LEASE_MS).toISOString()}::timestamptz
            from (select customer_id from lifecycle_due_checks
                   where due_at <= ${now.toISOString()}::timestamptz
                   order by due_at limit ${options.dueBatch ?? 500}
                   for update skip locked) due
           where d.customer_id = due.customer_id
          returning d.customer_id, d.from_history`),
      );
      if (claimed.length === 0) return 0;
      const fromHistory = new Set(claimed.filter((r) => r.from_history).map((r) => r.customer_id));
      // A failure leaves the claimed checks leased: they fall due again after DUE_LEASE_MS.
      await evaluate(
        claimed.map((row) => row.customer_id),
        fromHistory,
      ).catch(failed);
      return claimed.length;
    },
  };
}

/**
 * Evaluates and stores the stages of these customers now; returns the changes. A customer with
 * no stage yet gets its first one without an event: the API calls this for a customer it has
 * just created, so that a first purchase right after is a move from prospect, not a first stage.
 */
export async function evaluateStages(
  db: Database,
  customerIds: string[],
  context: Omit<SegmentSqlContext, 'scores'> & { stages?: readonly LifecycleStage[] },
  fromHistory: ReadonlySet<string> = new Set(),
): Promise<number> {
  const stages = context.stages ?? lifecycleStages;
  const found = await evaluateFirstMatch(
    db,
    stages.map((s) => s.where),
    customerIds,
    { ...context, scores: NO_SCORES },
  );
  const verdicts: StageVerdict[] = found.map((v) => ({
    customerId: v.customerId,
    stage: v.match === null ? null : (stages[v.match]?.id ?? null),
    dueAt: v.dueAt,
  }));
  return (await applyStageVerdicts(db, verdicts, context.now, fromHistory)).length;
}
