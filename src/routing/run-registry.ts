import { and, count, desc, eq, gte, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { columnPlaceholder, preparedPerDatabase } from '../db/prepared';
import { journeyRuns, type RunRegistryStatus } from '../db/schema';

export type RunRow = typeof journeyRuns.$inferSelect;
export type NewRunRow = typeof journeyRuns.$inferInsert;

/** Reads and writes of the runs registry used by routing and the runs API. */

export async function findRunningRun(db: Database, workflowId: string): Promise<RunRow | null> {
  const rows = await db
    .select()
    .from(journeyRuns)
    .where(and(eq(journeyRuns.workflowId, workflowId), eq(journeyRuns.status, 'running')))
    .limit(1);
  return rows[0] ?? null;
}

export async function findLatestRun(db: Database, workflowId: string): Promise<RunRow | null> {
  const rows = await db
    .select()
    .from(journeyRuns)
    .where(eq(journeyRuns.workflowId, workflowId))
    .orderBy(desc(journeyRuns.startedAt))
    .limit(1);
  return rows[0] ?? null;
}

/** A customer's runs, newest first. */
export function listCustomerRuns(
  db: Database,
  customerId: string,
  limit: number,
): Promise<RunRow[]> {
  return db
    .select()
    .from(journeyRuns)
    .where(eq(journeyRuns.customerId, customerId))
    .orderBy(desc(journeyRuns.startedAt))
    .limit(limit);
}

/** The run this very event started, if an earlier routing attempt got that far. */
export async function findRunStartedBy(
  db: Database,
  journeyId: string,
  eventId: string,
): Promise<RunRow | null> {
  const rows = await db
    .select()
    .from(journeyRuns)
    .where(and(eq(journeyRuns.journeyId, journeyId), eq(journeyRuns.triggerEventId, eventId)))
    .limit(1);
  return rows[0] ?? null;
}

/** The customer's most recent entry into the journey (any key), for once and cooldown. */
export async function findLastEntry(
  db: Database,
  journeyId: string,
  customerId: string,
): Promise<RunRow | null> {
  const rows = await db
    .select()
    .from(journeyRuns)
    .where(and(eq(journeyRuns.journeyId, journeyId), eq(journeyRuns.customerId, customerId)))
    .orderBy(desc(journeyRuns.startedAt))
    .limit(1);
  return rows[0] ?? null;
}

/** What starting a run needs to know of the registry, read in one statement. */
export interface StartView {
  /** The run this very trigger event registered, if an earlier routing attempt got that far. */
  startedBy: RunRow | null;
  /** The running run with this workflow id. */
  running: RunRow | null;
  /** The customer's most recent entry into the journey (any key); read only when asked for. */
  lastEntry: RunRow | null;
}

/**
 * findRunStartedBy, findRunningRun and (when the re-entry policy needs it) findLastEntry as one
 * statement: the rows matching any of the three, told apart here. Every start reads it, so it is
 * built once per database (src/db/prepared.ts), in two variants: with the last entry, and without.
 */
export async function readStartView(
  db: Database,
  request: {
    journeyId: string;
    customerId: string;
    workflowId: string;
    triggerEventId: string;
    withLastEntry: boolean;
  },
): Promise<StartView> {
  const statement = request.withLastEntry ? startViewWithLastEntry : startView;
  const rows = await statement(db).execute({
    journeyId: request.journeyId,
    customerId: request.customerId,
    workflowId: request.workflowId,
    triggerEventId: request.triggerEventId,
  });
  const mine = rows.filter(
    (r) => r.journeyId === request.journeyId && r.customerId === request.customerId,
  );
  return {
    startedBy: mine.find((r) => r.triggerEventId === request.triggerEventId) ?? null,
    running:
      rows.find((r) => r.workflowId === request.workflowId && r.status === 'running') ?? null,
    lastEntry: request.withLastEntry ? newest(mine) : null,
  };
}

function startViewStatement(withLastEntry: boolean) {
  return preparedPerDatabase((db) => {
    const ofJourney = and(
      eq(journeyRuns.journeyId, sql.placeholder('journeyId')),
      eq(journeyRuns.customerId, sql.placeholder('customerId')),
    );
    const lastEntryId = db
      .select({ id: journeyRuns.id })
      .from(journeyRuns)
      .where(and(ofJourney, sql`${journeyRuns.finishReason} is distinct from ${START_REFUSED}`))
      .orderBy(desc(journeyRuns.startedAt))
      .limit(1);
    return db
      .select()
      .from(journeyRuns)
      .where(
        or(
          and(ofJourney, eq(journeyRuns.triggerEventId, sql.placeholder('triggerEventId'))),
          and(
            eq(journeyRuns.workflowId, sql.placeholder('workflowId')),
            eq(journeyRuns.status, 'running'),
          ),
          withLastEntry ? eq(journeyRuns.id, sql`(${lastEntryId})`) : undefined,
        ),
      )
      .prepare(withLastEntry ? 'start_view_with_last_entry' : 'start_view');
  });
}

const startView = startViewStatement(false);
const startViewWithLastEntry = startViewStatement(true);

/** The newest entry; a start Temporal refused was never an entry. */
function newest(rows: RunRow[]): RunRow | null {
  let latest: RunRow | null = null;
  for (const row of rows) {
    if (row.finishReason === START_REFUSED) continue;
    if (!latest || row.startedAt > latest.startedAt) latest = row;
  }
  return latest;
}

/** What registering a run records; the rest takes the table's defaults. */
export type RunRegistration = Pick<
  NewRunRow,
  'workflowId' | 'journeyId' | 'journeyVersion' | 'customerId'
> &
  Partial<Pick<NewRunRow, 'runKey' | 'listensTo' | 'triggerEventId'>>;

/**
 * Registers a running run. Returns null when another run with this workflow id is already
 * running: the partial unique index settles concurrent starts.
 */
export async function insertRunningRun(
  db: Database,
  values: RunRegistration,
): Promise<RunRow | null> {
  const rows = await insertRunStatement(db).execute({
    workflowId: values.workflowId,
    journeyId: values.journeyId,
    journeyVersion: values.journeyVersion,
    customerId: values.customerId,
    runKey: values.runKey ?? null,
    listensTo: values.listensTo ?? [],
    triggerEventId: values.triggerEventId ?? null,
  });
  return rows[0] ?? null;
}

const insertRunStatement = preparedPerDatabase((db) =>
  db
    .insert(journeyRuns)
    .values({
      workflowId: sql.placeholder('workflowId'),
      journeyId: sql.placeholder('journeyId'),
      journeyVersion: sql.placeholder('journeyVersion'),
      customerId: sql.placeholder('customerId'),
      runKey: columnPlaceholder('runKey', journeyRuns.runKey),
      listensTo: columnPlaceholder('listensTo', journeyRuns.listensTo),
      triggerEventId: columnPlaceholder('triggerEventId', journeyRuns.triggerEventId),
      status: 'running',
    })
    .onConflictDoNothing()
    .returning()
    .prepare('insert_running_run'),
);

export async function recordTemporalRunId(
  db: Database,
  id: string,
  temporalRunId: string,
): Promise<void> {
  await temporalRunIdStatement(db).execute({ id, temporalRunId });
}

const temporalRunIdStatement = preparedPerDatabase((db) =>
  db
    .update(journeyRuns)
    .set({ temporalRunId: columnPlaceholder('temporalRunId', journeyRuns.temporalRunId) })
    .where(and(eq(journeyRuns.id, sql.placeholder('id')), isNull(journeyRuns.temporalRunId)))
    .prepare('record_temporal_run_id'),
);

/**
 * The run's Temporal run id, on its running row (the recordRunStarted activity of runs recorded
 * before the router wrote it). Whether a running row was there to take it.
 */
export async function recordRunningRunId(
  db: Database,
  workflowId: string,
  temporalRunId: string,
): Promise<boolean> {
  const rows = await db
    .update(journeyRuns)
    .set({ temporalRunId })
    .where(and(eq(journeyRuns.workflowId, workflowId), eq(journeyRuns.status, 'running')))
    .returning({ id: journeyRuns.id });
  return rows.length > 0;
}

/**
 * How a registry row ends whose start Temporal refused (src/routing/start-run.ts): the run never
 * existed, so re-entry rules do not count it as an entry.
 */
export const START_REFUSED = 'start_refused';

/**
 * How many times the customer entered the journey (since `since`, or ever): every registered
 * run but the starts Temporal refused, as the re-entry rules count them.
 */
export async function countEntries(
  db: Database,
  request: { journeyId: string; customerId: string; since: Date | null },
): Promise<number> {
  const [row] = await db
    .select({ entries: count() })
    .from(journeyRuns)
    .where(
      and(
        eq(journeyRuns.journeyId, request.journeyId),
        eq(journeyRuns.customerId, request.customerId),
        sql`${journeyRuns.finishReason} is distinct from ${START_REFUSED}`,
        request.since ? gte(journeyRuns.startedAt, request.since) : undefined,
      ),
    );
  return row?.entries ?? 0;
}

export interface RunFinish {
  workflowId: string;
  status: Exclude<RunRegistryStatus, 'running'>;
  finishReason: string;
  endedAt: Date;
  /** The run's decision trace; the stored one is kept when absent. */
  trace?: RunRow['trace'];
}

/**
 * Ends the running row of a workflow, as the run itself reports it (every run does, once).
 * Whether there was a running row: once it is finished there is none left to change, so a
 * repeated report changes nothing.
 */
export async function recordRunFinished(db: Database, finish: RunFinish): Promise<boolean> {
  const rows = await runFinishedStatement(db).execute({
    workflowId: finish.workflowId,
    status: finish.status,
    finishReason: finish.finishReason,
    endedAt: finish.endedAt,
    trace: finish.trace ?? null,
  });
  return rows.length > 0;
}

const runFinishedStatement = preparedPerDatabase((db) =>
  db
    .update(journeyRuns)
    .set({
      status: columnPlaceholder('status', journeyRuns.status),
      finishReason: columnPlaceholder('finishReason', journeyRuns.finishReason),
      endedAt: columnPlaceholder('endedAt', journeyRuns.endedAt),
      // No trace given (null): the stored one stays, as the statement left it out before.
      trace: sql`coalesce(${columnPlaceholder('trace', journeyRuns.trace)}, ${journeyRuns.trace})`,
    })
    .where(
      and(
        eq(journeyRuns.workflowId, sql.placeholder('workflowId')),
        eq(journeyRuns.status, 'running'),
      ),
    )
    .returning({ id: journeyRuns.id })
    .prepare('record_run_finished'),
);

/** Ends a registry row unless something (the workflow itself) already recorded its end. */
export async function markRunEnded(
  db: Database,
  id: string,
  status: Exclude<RunRegistryStatus, 'running'>,
  finishReason: string,
): Promise<void> {
  await db
    .update(journeyRuns)
    .set({ status, finishReason, endedAt: new Date() })
    .where(and(eq(journeyRuns.id, id), eq(journeyRuns.status, 'running')));
}
