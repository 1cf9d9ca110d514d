import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { LIFECYCLE_CHANGED } from '../lifecycle/stages';
import { recordEvents } from '../routing';
import { earlierCause } from './history-cause';

/** What an evaluation says of one customer's stage: null is no stage (no rule matched). */
export interface StageVerdict {
  customerId: string;
  stage: string | null;
  dueAt: Date | null;
}

export interface StageChange {
  customerId: string;
  from: string | null;
  to: string | null;
}

/**
 * Writes what an evaluation found, in one transaction: the stages that changed (with the time
 * since), a `lifecycle_changed` event { from, to } in the outbox for each move between stages,
 * and the due re-checks. Only a row the conditional writes actually changed counts, so two
 * evaluations of the same customer at once record one change. A customer's first stage (a new
 * customer, or every customer when stages are first computed) is stored without an event: it is
 * no transition, and a deploy must not start a journey for everyone. The moves of customers in
 * `fromHistory` were caused by imported history: their events start no journey. Returns the
 * changes.
 */
export async function applyStageVerdicts(
  db: Database,
  verdicts: StageVerdict[],
  now: Date,
  fromHistory: ReadonlySet<string> = new Set(),
): Promise<StageChange[]> {
  if (verdicts.length === 0) return [];
  return db.transaction(async (tx) => {
    const changes = [
      ...(await setStages(tx, verdicts.filter(hasStage), now)),
      ...(await clearStages(
        tx,
        verdicts.filter((v) => !hasStage(v)).map((v) => v.customerId),
      )),
    ];
    await scheduleStageChecks(tx, verdicts);
    const moves = changes.filter((c) => c.from !== null);
    await recordStageEvents(
      tx,
      moves.filter((c) => !fromHistory.has(c.customerId)),
      now,
    );
    await recordStageEvents(
      tx,
      moves.filter((c) => fromHistory.has(c.customerId)),
      now,
      true,
    );
    return changes;
  });
}

const hasStage = (v: StageVerdict): v is StageVerdict & { stage: string } => v.stage !== null;

/**
 * Upserts each customer's stage where it differs, with the stage it replaced: the old rows are
 * read under a row lock first (a concurrent writer is waited for, and then its stage is seen), so
 * the `from` of an event is the stage the change really left.
 */
async function setStages(
  db: Database,
  verdicts: (StageVerdict & { stage: string })[],
  now: Date,
): Promise<StageChange[]> {
  if (verdicts.length === 0) return [];
  const ids = verdicts.map((v) => v.customerId);
  const previous = new Map(
    rowsOf<{ customer_id: string; stage: string }>(
      await db.execute(sql`
        select customer_id, stage from customer_lifecycle
         where customer_id = any(${sql.param(ids)}::text[])
         order by customer_id
           for update`),
    ).map((row) => [row.customer_id, row.stage]),
  );
  const rows = rowsOf<{ customer_id: string; stage: string }>(
    await db.execute(sql`
      insert into customer_lifecycle (customer_id, stage, since, updated_at)
      select v.customer_id, v.stage, ${now.toISOString()}::timestamptz, now()
        from unnest(${sql.param(ids)}::text[], ${sql.param(verdicts.map((v) => v.stage))}::text[])
             as v(customer_id, stage)
      on conflict (customer_id) do update
         set stage = excluded.stage, since = excluded.since, updated_at = now()
       where customer_lifecycle.stage is distinct from excluded.stage
      returning customer_id, stage`),
  );
  return rows.map((row) => ({
    customerId: row.customer_id,
    from: previous.get(row.customer_id) ?? null,
    to: row.stage,
  }));
}

async function clearStages(db: Database, customerIds: string[]): Promise<StageChange[]> {
  if (customerIds.length === 0) return [];
  const rows = rowsOf<{ customer_id: string; stage: string }>(
    await db.execute(sql`
      delete from customer_lifecycle
       where customer_id = any(${sql.param(customerIds)}::text[])
      returning customer_id, stage`),
  );
  return rows.map((row) => ({ customerId: row.customer_id, from: row.stage, to: null }));
}

async function scheduleStageChecks(db: Database, verdicts: StageVerdict[]): Promise<void> {
  const none = verdicts.filter((v) => v.dueAt === null).map((v) => v.customerId);
  if (none.length > 0) {
    await db.execute(
      sql`delete from lifecycle_due_checks where customer_id = any(${sql.param(none)}::text[])`,
    );
  }
  const due = verdicts.filter((v) => v.dueAt !== null);
  if (due.length === 0) return;
  await db.execute(sql`
    insert into lifecycle_due_checks (customer_id, due_at)
    select d.id, d.at::timestamptz
      from unnest(${sql.param(due.map((v) => v.customerId))}::text[],
                  ${sql.param(due.map((v) => (v.dueAt as Date).toISOString()))}::text[]) as d(id, at)
    on conflict (customer_id) do update set due_at = excluded.due_at, from_history = false`);
}

/** The changes as events, routed like any other (journeys trigger on a from → to transition). */
async function recordStageEvents(
  db: Database,
  changes: StageChange[],
  now: Date,
  audienceOnly = false,
): Promise<void> {
  if (changes.length === 0) return;
  await recordEvents(
    db,
    changes.map((c) => ({
      id: `${LIFECYCLE_CHANGED}:${c.customerId}:${c.from ?? ''}:${c.to ?? ''}:${now.getTime()}`,
      customerId: c.customerId,
      type: LIFECYCLE_CHANGED,
      occurredAt: now.toISOString(),
      properties: { from: c.from, to: c.to },
    })),
    { now, source: 'lifecycle', audienceOnly },
  );
}

/**
 * A profile changed where no event says so: the customers' stages are looked at again at once,
 * through the due index (the stages read profile.lifetime_value).
 */
export async function requestStageChecks(
  db: Database,
  customerIds: string[],
  now: Date,
  fromHistory = false,
): Promise<void> {
  if (customerIds.length === 0) return;
  await db.execute(sql`
    insert into lifecycle_due_checks (customer_id, due_at, from_history)
    select c.id, ${now.toISOString()}::timestamptz, ${fromHistory}::boolean
      from unnest(${sql.param([...new Set(customerIds)])}::text[]) as c(id)
    on conflict (customer_id) do update
       set due_at = least(lifecycle_due_checks.due_at, excluded.due_at),
           from_history = ${earlierCause('lifecycle_due_checks')}`);
}
