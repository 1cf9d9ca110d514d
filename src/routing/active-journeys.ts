import { and, eq } from 'drizzle-orm';
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
  const rows = await db
    .select({
      journeyId: journeys.id,
      version: journeys.activeVersion,
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
    .where(and(eq(journeys.triggerEvent, eventType), eq(journeys.status, 'active')));
  // Stored definitions were validated (defaults filled in) when the version was created.
  return rows.map((row) => ({
    ...row,
    definition: row.definition as unknown as JourneyDefinition,
  }));
}

export async function activeJourney(
  db: Database,
  journeyId: string,
): Promise<(ActiveJourney & { status: string }) | null> {
  const rows = await db
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
    .where(eq(journeys.id, journeyId))
    .limit(1);
  const row = rows[0];
  return row ? { ...row, definition: row.definition as unknown as JourneyDefinition } : null;
}
