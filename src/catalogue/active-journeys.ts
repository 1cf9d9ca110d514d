import { and, eq, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { journeys, journeyVersions } from '../db/schema';
import type { JourneyDefinition } from '../journeys/schema';

export interface ActiveJourney {
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
}

/** Active journeys triggered by this event type, each with its active version's definition. */
export async function journeysTriggeredBy(
  db: Database,
  eventType: string,
): Promise<ActiveJourney[]> {
  const rows = await withActiveVersion(
    db,
    and(eq(journeys.triggerEvent, eventType), eq(journeys.status, 'active')),
  );
  return rows.map(({ status: _status, ...journey }) => journey);
}

/** A journey (whatever its status) with its active version's definition, or null. */
export async function activeJourney(
  db: Database,
  journeyId: string,
): Promise<(ActiveJourney & { status: string }) | null> {
  const [row] = await withActiveVersion(db, eq(journeys.id, journeyId), 1);
  return row ?? null;
}

async function withActiveVersion(db: Database, where: SQL | undefined, limit?: number) {
  const query = db
    .select({
      journeyId: journeys.id,
      version: journeys.activeVersion,
      status: journeys.status,
      definition: journeyVersions.definition,
    })
    .from(journeys)
    .innerJoin(
      journeyVersions,
      and(
        eq(journeyVersions.journeyId, journeys.id),
        eq(journeyVersions.version, journeys.activeVersion),
      ),
    )
    .where(where);
  const rows = await (limit ? query.limit(limit) : query);
  // Stored definitions were validated (defaults filled in) when the version was created.
  return rows.map((row) => ({
    ...row,
    definition: row.definition as unknown as JourneyDefinition,
  }));
}
