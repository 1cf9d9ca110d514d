import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerScores, rfmScores, scoreContributions, scoreRuns } from '../db/schema';
import {
  recencyDays,
  type DecayingScore,
  type ScoreCatalogue,
  type ScoreDefinition,
  type StoredScore,
} from '../scores';
import { loadProfileSnapshot } from './load-profile';

/**
 * The stored state of each of these decaying scores (the versions given: the catalogue's
 * active ones) of these customers, by customer then score id (a score with no row has counted
 * nothing yet and reads 0). Rows of other versions are left out: a new version is read once it
 * is backfilled and active (src/audience/score-backfill.ts).
 */
export async function storedScores(
  db: Database,
  customerIds: readonly string[],
  scores: readonly DecayingScore[],
): Promise<Map<string, Record<string, StoredScore>>> {
  const ids = [...new Set(customerIds)];
  const byCustomer = new Map<string, Record<string, StoredScore>>();
  if (ids.length === 0 || scores.length === 0) return byCustomer;
  const rows = await db
    .select()
    .from(customerScores)
    .where(
      and(
        inArray(customerScores.customerId, ids),
        inArray(
          customerScores.scoreId,
          scores.map((s) => s.id),
        ),
      ),
    );
  for (const row of rows) {
    if (scores.find((s) => s.id === row.scoreId)?.version !== row.version) continue;
    const entry = byCustomer.get(row.customerId) ?? {};
    entry[row.scoreId] = { value: row.value, asOf: row.asOf.getTime() };
    byCustomer.set(row.customerId, entry);
  }
  return byCustomer;
}

export interface ScoreContribution {
  scoreId: string;
  eventId: string;
  eventType: string;
  points: number;
  occurredAt: Date;
}

/** The contributions of a customer's current scores, newest first, at most `limit`. */
export async function scoreContributionsOf(
  db: Database,
  customerId: string,
  options: { limit: number; scores: readonly DecayingScore[] },
): Promise<ScoreContribution[]> {
  const { scores } = options;
  if (scores.length === 0) return [];
  const rows = await db
    .select({
      scoreId: scoreContributions.scoreId,
      version: scoreContributions.version,
      eventId: scoreContributions.eventId,
      eventType: scoreContributions.eventType,
      points: scoreContributions.points,
      occurredAt: scoreContributions.occurredAt,
    })
    .from(scoreContributions)
    .where(
      and(
        eq(scoreContributions.customerId, customerId),
        inArray(
          scoreContributions.scoreId,
          scores.map((s) => s.id),
        ),
      ),
    )
    .orderBy(desc(scoreContributions.occurredAt), desc(scoreContributions.eventId))
    .limit(options.limit);
  return rows
    .filter((row) => scores.find((s) => s.id === row.scoreId)?.version === row.version)
    .map(({ version: _version, ...row }) => row);
}

/** One part of an RFM score: its quintile (the points it adds) and what was measured. */
export interface RfmPartView {
  part: 'recency' | 'frequency' | 'monetary';
  points: number;
  /** Days since the last purchase, purchases, or the sum of their amounts, in the window. */
  measure: number;
}

export interface CustomerScoreView {
  definition: ScoreDefinition;
  /** As conditions read it at `now`. */
  value: number;
  asOf: Date | null;
  contributions: ScoreContribution[];
  /** An RFM score: its cell ("545") and its parts, which add up to the value. */
  rfm?: { cell: string; cellSince: Date; parts: RfmPartView[] };
}

/**
 * Every score of the catalogue (its active version) of a customer as conditions read it at `now` (the snapshot's values), with
 * the stored asOf and the newest `contributionsShown` contributions of each decaying score, and
 * each RFM score's cell and parts (an RFM score the customer has no cell of is left out); null for
 * an unknown customer.
 */
export async function customerScoreViews(
  db: Database,
  customerId: string,
  options: { now: Date; contributionsShown: number; scores: ScoreCatalogue },
): Promise<CustomerScoreView[] | null> {
  // One snapshot of the tables: the router may count a batch between the reads.
  return db.transaction((tx) => scoreViewsIn(tx, customerId, options), {
    isolationLevel: 'repeatable read',
    accessMode: 'read only',
  });
}

async function scoreViewsIn(
  db: Database,
  customerId: string,
  options: { now: Date; contributionsShown: number; scores: ScoreCatalogue },
): Promise<CustomerScoreView[] | null> {
  const catalogue = options.scores;
  const profile = await loadProfileSnapshot(db, customerId, catalogue, options.now);
  if (!profile) return null;
  const values = (profile.scores ?? {}) as Record<string, number>;
  const stored = (await storedScores(db, [customerId], catalogue.decaying())).get(customerId) ?? {};
  const views: CustomerScoreView[] = [];
  for (const definition of catalogue.all()) {
    if (definition.kind === 'rfm') {
      const view = await rfmView(db, customerId, definition);
      if (view) views.push(view);
      continue;
    }
    const contributions =
      definition.kind === 'decaying'
        ? await scoreContributionsOf(db, customerId, {
            limit: options.contributionsShown,
            scores: [definition],
          })
        : [];
    const asOf = stored[definition.id]?.asOf;
    views.push({
      definition,
      value: values[definition.id] ?? 0,
      asOf: asOf === undefined ? null : new Date(asOf),
      contributions,
    });
  }
  return views;
}

/** The customer's cell of an RFM score, as of the recompute that last ran; null for none. */
async function rfmView(
  db: Database,
  customerId: string,
  definition: ScoreDefinition,
): Promise<CustomerScoreView | null> {
  const [row] = await db
    .select({ cell: rfmScores, computedAt: scoreRuns.computedAt })
    .from(rfmScores)
    .leftJoin(
      scoreRuns,
      and(eq(scoreRuns.scoreId, rfmScores.scoreId), eq(scoreRuns.version, rfmScores.version)),
    )
    .where(
      and(
        eq(rfmScores.customerId, customerId),
        eq(rfmScores.scoreId, definition.id),
        eq(rfmScores.version, definition.version),
      ),
    );
  if (!row) return null;
  const { cell } = row;
  // The run is recorded in the same transaction as its rows; the cell's time stands in otherwise.
  const asOf = row.computedAt ?? cell.cellSince;
  return {
    definition,
    value: cell.value,
    asOf,
    contributions: [],
    rfm: {
      cell: cell.cell,
      cellSince: cell.cellSince,
      parts: [
        {
          part: 'recency',
          points: cell.r,
          measure: recencyDays(cell.lastPurchaseAt.getTime(), asOf.getTime()),
        },
        { part: 'frequency', points: cell.f, measure: cell.purchases },
        { part: 'monetary', points: cell.m, measure: cell.monetary },
      ],
    },
  };
}
