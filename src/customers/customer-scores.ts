import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerScores, scoreContributions } from '../db/schema';
import { decayingScores, type DecayingScore, type StoredScore } from '../scores';

/**
 * The stored state of each current decaying score of these customers, by customer then score
 * id (a score with no row has counted nothing yet and reads 0). Rows of other versions are
 * left out: a new version counts from its own first event.
 */
export async function storedScores(
  db: Database,
  customerIds: readonly string[],
  scores: readonly DecayingScore[] = decayingScores(),
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
  options: { limit: number; scores?: readonly DecayingScore[] },
): Promise<ScoreContribution[]> {
  const scores = options.scores ?? decayingScores();
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
