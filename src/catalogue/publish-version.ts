import { eq, max } from 'drizzle-orm';
import type { Database } from '../db/database';
import { journeys, journeyVersions } from '../db/schema';
import { activeSegmentIds } from '../audience';
import type { JourneyDefinition } from '../journeys/schema';
import { segmentReads } from '../journeys/segment-reads';

export interface PublishedVersion {
  id: string;
  version: number;
  status: 'active' | 'paused' | 'archived';
}

/**
 * Publishes a validated definition as the journey's next immutable version and makes it active
 * for new entries; runs already inside keep the version they started with. Versions are numbered
 * under a row lock, so concurrent publishes get distinct numbers. A paused journey stays paused.
 */
export async function publishVersion(
  db: Database,
  definition: JourneyDefinition,
): Promise<PublishedVersion> {
  return db.transaction(async (tx) => {
    await requireReadSegments(tx, definition);
    await tx
      .insert(journeys)
      .values({ id: definition.id, name: definition.name, activeVersion: 0, triggerEvent: null })
      .onConflictDoNothing();
    const [journey] = await tx
      .select()
      .from(journeys)
      .where(eq(journeys.id, definition.id))
      .for('update');
    const [latest] = await tx
      .select({ version: max(journeyVersions.version) })
      .from(journeyVersions)
      .where(eq(journeyVersions.journeyId, definition.id));
    const version = (latest?.version ?? 0) + 1;
    await tx.insert(journeyVersions).values({ journeyId: definition.id, version, definition });
    await tx
      .update(journeys)
      .set({
        name: definition.name,
        activeVersion: version,
        triggerEvent: definition.trigger?.event ?? null,
        updatedAt: new Date(),
      })
      .where(eq(journeys.id, definition.id));
    return { id: definition.id, version, status: journey?.status ?? 'active' };
  });
}

/** A definition the stored data refuses: each issue names the field and why. */
export class JourneyDefinitionError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid journey definition: ${issues.map((i) => i.path).join(', ')}`);
    this.name = 'JourneyDefinitionError';
  }
}

/**
 * Every segments.<id> the journey reads must name an active segment: a condition on one that
 * does not exist could never pass, and would fail quietly at every run. Checked in the publish
 * transaction, so nothing is stored when it refuses.
 */
async function requireReadSegments(db: Database, definition: JourneyDefinition): Promise<void> {
  const reads = segmentReads(definition);
  if (reads.length === 0) return;
  const found = await activeSegmentIds(db, [...new Set(reads.map((read) => read.segmentId))]);
  const missing = reads.filter((read) => !found.has(read.segmentId));
  if (missing.length === 0) return;
  throw new JourneyDefinitionError(
    missing.map((read) => ({
      path: read.path,
      message: `reads segment "${read.segmentId}", which does not exist`,
    })),
  );
}
