import type { Database } from '../db/database';
import { builtInScores, scoreDefinitionInputSchema, type ScoreDefinition } from '../scores';
import { builtInSegments } from '../segments/library';
import { segmentDefinitionSchema } from '../segments/schema';
import { publishScore } from './publish-score';
import { findStoredScore } from './score-catalogue';
import { findSegment, publishSegment } from './segment-catalogue';

/**
 * Publishes each built-in seed segment that does not exist yet, validated like any segment a user
 * publishes; one that exists is left as its users have it. Returns the ids it published. The
 * built-in scores first: segments may read them.
 */
export async function installBuiltInSegments(db: Database): Promise<string[]> {
  await installBuiltInScores(db);
  const installed: string[] = [];
  for (const definition of builtInSegments) {
    if (await findSegment(db, definition.id)) continue;
    await publishSegment(db, segmentDefinitionSchema.parse(definition));
    installed.push(definition.id);
  }
  return installed;
}

/**
 * Publishes each built-in score (src/scores/library.ts) that is not stored yet, as its version 1,
 * active at once: the router has counted the built-ins live since the first event, so there is
 * no history to backfill. One that exists is left as its users have it (a later version they
 * published stays). Every process that reads scores runs it as it starts. Returns the ids.
 */
export function installBuiltInScores(db: Database): Promise<string[]> {
  return db.transaction(async (tx) => {
    // The api and the worker start together: one installs, the other then finds them stored.
    await tx.execute(`select pg_advisory_xact_lock(hashtext('cairn:scores:install'))`);
    const installed: string[] = [];
    for (const builtIn of builtInScores) {
      if (await findStoredScore(tx, builtIn.id)) continue;
      // Published without its version: the catalogue numbers versions (1 for a new score).
      const definition: Partial<ScoreDefinition> = { ...builtIn };
      delete definition.version;
      await publishScore(tx, scoreDefinitionInputSchema.parse(definition), { backfill: false });
      installed.push(builtIn.id);
    }
    return installed;
  });
}
