import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers, events, scoreDefinitions, scoreVersions } from '../db/schema';
import type { DecayingScore, Multiplier } from '../scores';
import { comparisonSql, type Comparison } from './comparison-sql';
import { propertyValue } from './event-sql';
import { addContributions } from './score-contributions';
import { backfillPending, loadScoreCatalogue, storedScoreDefinition } from './score-catalogue';
import { scoreReadersChanged } from './score-readers';

export const DEFAULT_BACKFILL_PAGE = 2_000;

/**
 * One page of the backfill of a decaying score's new version from event history, as the router
 * runs it between batches (live-scores.ts, upkeep), like a new segment version's membership: the
 * next `size` customers in id order after the score's cursor, under a row lock (skip locked:
 * routers side by side take different scores or wait their turn), one transaction per page so
 * none holds the whole history. Each page is one statement over the customers' events — weight ×
 * every matching multiplier, human engagement only — through the live path's statement
 * (addContributions): the same arithmetic, score_contributions rows for the profile, and
 * idempotent by event id, so an event the router counts live as well adds nothing twice. When the
 * last page is done the version becomes active, and the segments that read the score are brought
 * to it and computed again (score-readers.ts). Returns the work done (0: nothing to backfill).
 */
export async function backfillNextPage(
  db: Database,
  options: { now: Date; size?: number },
): Promise<number> {
  const size = options.size ?? DEFAULT_BACKFILL_PAGE;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        id: scoreDefinitions.id,
        version: scoreDefinitions.latestVersion,
        cursor: scoreDefinitions.backfillCursor,
        definition: scoreVersions.definition,
      })
      .from(scoreDefinitions)
      .innerJoin(
        scoreVersions,
        and(
          eq(scoreVersions.scoreId, scoreDefinitions.id),
          eq(scoreVersions.version, scoreDefinitions.latestVersion),
        ),
      )
      .where(backfillPending)
      .limit(1)
      .for('update', { of: scoreDefinitions, skipLocked: true });
    if (!row) return 0;
    const definition = storedScoreDefinition(row.definition);
    if (definition.kind !== 'decaying') return 0;
    const page = await tx
      .select({ id: customers.id })
      .from(customers)
      .where(row.cursor === null ? undefined : gt(customers.id, row.cursor))
      .orderBy(asc(customers.id))
      .limit(size);
    const ids = page.map((c) => c.id);
    if (ids.length > 0) await addContributions(tx, historyOf(definition, ids), options.now);
    const done = ids.length < size;
    await tx
      .update(scoreDefinitions)
      .set(
        done
          ? { activeVersion: row.version, backfillCursor: null, updatedAt: new Date() }
          : { backfillCursor: ids.at(-1) ?? null },
      )
      .where(eq(scoreDefinitions.id, row.id));
    if (done) await scoreReadersChanged(tx, row.id, await loadScoreCatalogue(tx));
    return Math.max(ids.length, 1);
  });
}

/**
 * The customers' events the definition weighs, with their points, as addContributions takes
 * them: pointsOf (src/scores/decay.ts) in SQL, the multipliers' conditions through the segment
 * compiler's journey operators (comparison-sql.ts), which the differential tests hold to the
 * pure evaluator's meaning.
 */
function historyOf(definition: DecayingScore, customerIds: string[]): SQL {
  const types = Object.keys(definition.weights);
  const weight = sql`case ${events.type} ${sql.join(
    Object.entries(definition.weights).map(([type, w]) => sql`when ${type} then ${w}::float8`),
    sql` `,
  )} end`;
  const factors = definition.multipliers.map((m) => factorSql(m));
  const points = factors.length > 0 ? sql`${weight} * ${sql.join(factors, sql` * `)}` : weight;
  return sql`select ${definition.id}::text as "scoreId", ${definition.version}::int as version,
      ${definition.decayPerDay}::float8 as "decayPerDay", ${events.id} as "eventId",
      ${events.customerId} as "customerId", ${events.type} as type, ${points} as points,
      ${events.occurredAt} as "occurredAt"
    from ${events}
   where ${events.customerId} = any(${sql.param(customerIds)}::text[])
     and ${events.type} = any(${sql.param(types)}::text[])`;
}

/** The multiplier's factor where its event and every condition match, 1 elsewhere. */
function factorSql(multiplier: Multiplier): SQL {
  // No age operators in a multiplier, so `now` is never read by the comparison.
  const epoch = new Date(0);
  const conditions = multiplier.where.map(({ property, ...comparison }) =>
    comparisonSql(propertyValue(property), comparison as Comparison, epoch),
  );
  return sql`(case when ${events.type} = ${multiplier.event}::text and ${sql.join(conditions, sql` and `)}
    then ${multiplier.factor}::float8 else 1::float8 end)`;
}
