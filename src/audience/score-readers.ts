import { eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { segments } from '../db/schema';
import type { ScoreCatalogue } from '../scores';
import { segmentDependencies } from './dependencies';
import { activeRuleSegments } from './segment-catalogue';

/**
 * A score's active version changed: the rule segments that read it say something else now. Their
 * stored dependencies are brought to the new version (its weights are the events that move it),
 * and their membership is computed again for every customer by the router, page by page, the
 * way a new segment version's is (live-membership.ts, computeNextPage): computedVersion no longer
 * matches the active version. Returns the segments marked.
 */
export async function scoreReadersChanged(
  db: Database,
  scoreId: string,
  catalogue: ScoreCatalogue,
): Promise<string[]> {
  const readers = (await activeRuleSegments(db)).filter((segment) =>
    segmentDependencies(segment.condition, catalogue).scores.includes(scoreId),
  );
  for (const segment of readers) {
    const dependencies = segmentDependencies(segment.condition, catalogue);
    await db
      .update(segments)
      .set({
        dependsOnEvents: dependencies.eventTypes,
        readsProfile: dependencies.readsProfile,
        computedVersion: 0,
        computeCursor: null,
        updatedAt: new Date(),
      })
      .where(eq(segments.id, segment.id));
  }
  return readers.map((segment) => segment.id);
}
