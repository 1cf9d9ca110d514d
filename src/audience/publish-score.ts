import { eq, max, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { scoreDefinitions, scoreVersions } from '../db/schema';
import { scoreDefinitionSchema, type ScoreDefinitionInput } from '../scores';
import { loadScoreCatalogue, type ScoreRow } from './score-catalogue';
import { scoreReadersChanged } from './score-readers';

/** A definition the stored scores refuse (another kind than the score has). */
export class ScoreDefinitionError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'ScoreDefinitionError';
  }
}

export interface PublishedScore {
  id: string;
  version: number;
  kind: ScoreRow['kind'];
  /** false: a decaying version backfilled from event history before readers see it. */
  active: boolean;
}

/**
 * Publishes a validated definition as the score's next immutable version. A score keeps its kind.
 * A new decaying version is counted live by the router at once and backfilled from the event
 * history page by page (score-backfill.ts); readers switch to it when the backfill is done, so
 * it never reads empty for everyone. Any other version is active at once: a profile_quality
 * score is computed on read, and an RFM score's version is filled by its next recompute.
 * `backfill: false` activates a decaying version at once (the built-ins: the router has counted
 * them live since the first event).
 */
export async function publishScore(
  db: Database,
  input: ScoreDefinitionInput,
  options: { backfill?: boolean } = {},
): Promise<PublishedScore> {
  return db.transaction(async (tx) => {
    // Publishes of one score are serialised: two at once would both take the same next version.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`cairn:scores:${input.id}`}))`);
    await tx
      .insert(scoreDefinitions)
      .values({ id: input.id, name: input.name, kind: input.kind, latestVersion: 0 })
      .onConflictDoNothing();
    const [row] = await tx.select().from(scoreDefinitions).where(eq(scoreDefinitions.id, input.id));
    if (row && row.kind !== input.kind) {
      throw new ScoreDefinitionError('kind', `score "${row.id}" is a ${row.kind} score`);
    }
    const [latest] = await tx
      .select({ version: max(scoreVersions.version) })
      .from(scoreVersions)
      .where(eq(scoreVersions.scoreId, input.id));
    const version = (latest?.version ?? 0) + 1;
    const definition = scoreDefinitionSchema.parse({ ...input, version });
    await tx.insert(scoreVersions).values({ scoreId: input.id, version, definition });
    const backfilled = definition.kind === 'decaying' && options.backfill !== false;
    await tx
      .update(scoreDefinitions)
      .set({
        name: definition.name,
        latestVersion: version,
        ...(backfilled ? {} : { activeVersion: version }),
        backfillCursor: null,
        updatedAt: new Date(),
      })
      .where(eq(scoreDefinitions.id, input.id));
    if (!backfilled) await scoreReadersChanged(tx, definition.id, await loadScoreCatalogue(tx));
    return { id: definition.id, version, kind: definition.kind, active: !backfilled };
  });
}
