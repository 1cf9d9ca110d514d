import { eq, max } from 'drizzle-orm';
import type { Database } from '../db/database';
import { journeys, journeyVersions } from '../db/schema';
import type { JourneyDefinition } from '../journeys/schema';

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
