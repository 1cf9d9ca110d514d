import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { journeys, journeyVersions } from '../db/schema';
import type { JourneyDefinition } from '../journeys/schema';

export type JourneyRow = typeof journeys.$inferSelect;
export type JourneyStatus = JourneyRow['status'];

export interface JourneyVersionRow {
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
  createdAt: Date;
}

export function listJourneys(db: Database): Promise<JourneyRow[]> {
  return db.select().from(journeys).orderBy(journeys.id);
}

export async function findJourney(db: Database, id: string): Promise<JourneyRow | null> {
  const [row] = await db.select().from(journeys).where(eq(journeys.id, id)).limit(1);
  return row ?? null;
}

export async function findVersion(
  db: Database,
  journeyId: string,
  version: number,
): Promise<JourneyVersionRow | null> {
  const [row] = await db
    .select()
    .from(journeyVersions)
    .where(and(eq(journeyVersions.journeyId, journeyId), eq(journeyVersions.version, version)))
    .limit(1);
  // Stored definitions were validated (defaults filled in) when the version was published.
  return row ? { ...row, definition: row.definition as unknown as JourneyDefinition } : null;
}

/** Pauses or activates a journey's trigger; null when there is no such journey. */
export async function setJourneyStatus(
  db: Database,
  id: string,
  status: JourneyStatus,
): Promise<JourneyRow | null> {
  const [row] = await db
    .update(journeys)
    .set({ status, updatedAt: new Date() })
    .where(eq(journeys.id, id))
    .returning();
  return row ?? null;
}
