import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { scoreDefinitions, scoreVersions } from '../db/schema';
import type { JsonObject } from '../journeys/run-types';
import {
  scoreDefinitionSchema,
  ScoreCatalogue,
  type DecayingScore,
  type ScoreDefinition,
} from '../scores';

export type ScoreRow = typeof scoreDefinitions.$inferSelect;
export type ScoreVersionRow = typeof scoreVersions.$inferSelect;

/**
 * The catalogue as readers and the router see it now: every score's active version, and each
 * decaying version still being backfilled. A few rows; versions are parsed once per process.
 */
export async function loadScoreCatalogue(db: Database): Promise<ScoreCatalogue> {
  const rows = await db
    .select({
      id: scoreDefinitions.id,
      version: scoreVersions.version,
      active: scoreDefinitions.activeVersion,
      definition: scoreVersions.definition,
    })
    .from(scoreDefinitions)
    .innerJoin(
      scoreVersions,
      and(
        eq(scoreVersions.scoreId, scoreDefinitions.id),
        sql`${scoreVersions.version} in (${scoreDefinitions.activeVersion}, ${scoreDefinitions.latestVersion})`,
      ),
    )
    .orderBy(asc(scoreDefinitions.id));
  const active: ScoreDefinition[] = [];
  const backfilling: DecayingScore[] = [];
  for (const row of rows) {
    const definition = parsedVersion(row.id, row.version, row.definition);
    if (row.version === row.active) active.push(definition);
    else if (definition.kind === 'decaying') backfilling.push(definition);
  }
  return ScoreCatalogue.of(active, backfilling);
}

export function listScores(db: Database): Promise<ScoreRow[]> {
  return db.select().from(scoreDefinitions).orderBy(asc(scoreDefinitions.id));
}

export async function findStoredScore(db: Database, id: string): Promise<ScoreRow | null> {
  const [row] = await db.select().from(scoreDefinitions).where(eq(scoreDefinitions.id, id));
  return row ?? null;
}

/** A score's versions, oldest first. */
export function scoreVersionsOf(db: Database, id: string): Promise<ScoreVersionRow[]> {
  return db
    .select()
    .from(scoreVersions)
    .where(eq(scoreVersions.scoreId, id))
    .orderBy(asc(scoreVersions.version));
}

/** The decaying scores whose latest version is not active yet: the backfill's work. */
export const backfillPending = and(
  eq(scoreDefinitions.kind, 'decaying'),
  ne(scoreDefinitions.latestVersion, scoreDefinitions.activeVersion),
);

/** A stored version, parsed again: stored versions were validated when they were published. */
export function storedScoreDefinition(definition: JsonObject): ScoreDefinition {
  return scoreDefinitionSchema.parse(definition);
}

// Versions never change, so each is parsed once per process, not on every router pass.
const parsedVersions = new Map<string, ScoreDefinition>();

function parsedVersion(id: string, version: number, definition: JsonObject): ScoreDefinition {
  const key = `${id}@${version}`;
  let parsed = parsedVersions.get(key);
  if (!parsed) {
    parsed = storedScoreDefinition(definition);
    parsedVersions.set(key, parsed);
  }
  return parsed;
}
