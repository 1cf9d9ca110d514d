import { and, arrayOverlaps, asc, eq, inArray, max, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database';
import { segments, segmentVersions } from '../db/schema';
import type { JsonObject } from '../journeys/run-types';
import {
  segmentDefinitionSchema,
  type SegmentCondition,
  type SegmentDefinition,
} from '../segments/schema';
import { canonicalStage, findLifecycleStage } from '../lifecycle/stages';
import type { ScoreCatalogue } from '../scores';
import { segmentDependencies } from './dependencies';
import { loadScoreCatalogue } from './score-catalogue';
import { scoreReferences } from './score-references';
import { findSegmentCycle } from './segment-cycles';

export type SegmentRow = typeof segments.$inferSelect;
export type SegmentVersionRow = typeof segmentVersions.$inferSelect;

/** A definition the stored segments refuse: it names a segment that does not exist, a cycle, … */
export class SegmentDefinitionError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'SegmentDefinitionError';
  }
}

export interface PublishedSegment {
  id: string;
  version: number;
  kind: SegmentRow['kind'];
}

/**
 * Publishes a validated definition as the segment's next immutable version and makes it active.
 * The segments and scores it reads must exist, and the segments must not read it back (no cycle,
 * whatever the path); a segment keeps its kind. A new rule version's membership is then computed for everyone by the
 * router, page by page (src/audience/compute-membership.ts), while events keep it live.
 */
export async function publishSegment(
  db: Database,
  definition: SegmentDefinition,
): Promise<PublishedSegment> {
  const catalogue = await loadScoreCatalogue(db);
  if (definition.where) checkScores(definition.where, catalogue);
  const dependencies = definition.where ? segmentDependencies(definition.where, catalogue) : null;
  checkStages(dependencies?.stages ?? []);
  return db.transaction(async (tx) => {
    // Publishes are serialised: two at once could each close half of a cycle.
    await tx.execute(`select pg_advisory_xact_lock(hashtext('cairn:segments:publish'))`);
    await checkReferences(tx, definition, dependencies?.segments ?? []);
    await tx
      .insert(segments)
      .values({ id: definition.id, name: definition.name, kind: definition.kind, activeVersion: 0 })
      .onConflictDoNothing();
    const [row] = await tx.select().from(segments).where(eq(segments.id, definition.id));
    if (row && row.kind !== definition.kind) {
      throw new SegmentDefinitionError('kind', `segment "${row.id}" is a ${row.kind} segment`);
    }
    const [latest] = await tx
      .select({ version: max(segmentVersions.version) })
      .from(segmentVersions)
      .where(eq(segmentVersions.segmentId, definition.id));
    const version = (latest?.version ?? 0) + 1;
    await tx.insert(segmentVersions).values({
      segmentId: definition.id,
      version,
      definition,
    });
    await tx
      .update(segments)
      .set({
        name: definition.name,
        status: 'active',
        activeVersion: version,
        dependsOnEvents: dependencies?.eventTypes ?? [],
        readsProfile: dependencies?.readsProfile ?? false,
        // A manual segment's members are what the API put there: nothing to compute.
        ...(definition.kind === 'manual' ? { computedVersion: version } : {}),
        computeCursor: null,
        updatedAt: new Date(),
      })
      .where(eq(segments.id, definition.id));
    return { id: definition.id, version, kind: definition.kind };
  });
}

async function checkReferences(
  db: Database,
  definition: SegmentDefinition,
  referenced: string[],
): Promise<void> {
  if (referenced.length === 0) return;
  await requireSegments(db, referenced);
  const references = await storedReferences(db);
  references.set(definition.id, referenced);
  const cycle = findSegmentCycle(references);
  if (cycle) {
    throw new SegmentDefinitionError(
      'where',
      `segments would read each other: ${cycle.join(' → ')}`,
    );
  }
}

/**
 * Refuses a score condition naming a score segments cannot read: none of that id, or one
 * computed on read (profile_quality), which has no stored value to compare in SQL.
 */
export function checkScores(condition: SegmentCondition, catalogue: ScoreCatalogue): void {
  for (const { score, path } of scoreReferences(condition, 'where')) {
    const definition = catalogue.find(score);
    if (definition?.kind === 'decaying' || definition?.kind === 'rfm') continue;
    const readable = catalogue
      .readableBySegments()
      .map((s) => s.id)
      .join(', ');
    throw new SegmentDefinitionError(
      path,
      definition
        ? `reads score "${score}", a ${definition.kind} score segments cannot read: use one of ${readable}`
        : `reads score "${score}", which does not exist (see GET /v1/scores)`,
    );
  }
}

/** Refuses a lifecycleStage condition naming no canonical stage (an alias names the one to use). */
export function checkStages(stages: string[]): void {
  for (const name of stages) {
    if (findLifecycleStage(name)) continue;
    const canonical = canonicalStage(name);
    throw new SegmentDefinitionError(
      'where',
      canonical
        ? `reads lifecycle stage "${name}", an alias of "${canonical.id}": use "${canonical.id}"`
        : `reads lifecycle stage "${name}", which does not exist (see GET /v1/lifecycle-stages)`,
    );
  }
}

/** Refuses a condition that reads a segment that does not exist (or is archived). */
export async function requireSegments(db: Database, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db
    .select({ id: segments.id })
    .from(segments)
    .where(and(inArray(segments.id, ids), eq(segments.status, 'active')));
  const missing = ids.find((id) => !found.some((row) => row.id === id));
  if (missing !== undefined) {
    throw new SegmentDefinitionError('where', `reads segment "${missing}", which does not exist`);
  }
}

/** Which of these ids name an active segment (a journey's segments.<id> must). */
export async function activeSegmentIds(db: Database, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const found = await db
    .select({ id: segments.id })
    .from(segments)
    .where(and(inArray(segments.id, ids), eq(segments.status, 'active')));
  return new Set(found.map((row) => row.id));
}

/** Which segments each active rule segment reads, from the active versions. */
async function storedReferences(db: Database): Promise<Map<string, string[]>> {
  const active = await activeRuleSegments(db);
  const catalogue = await loadScoreCatalogue(db);
  return new Map(active.map((s) => [s.id, segmentDependencies(s.condition, catalogue).segments]));
}

/** A stored definition, parsed again: stored versions were validated when they were published. */
export function storedDefinition(definition: JsonObject): SegmentDefinition {
  return segmentDefinitionSchema.parse(definition);
}

export async function findSegment(db: Database, id: string): Promise<SegmentRow | null> {
  const [row] = await db.select().from(segments).where(eq(segments.id, id));
  return row ?? null;
}

export async function findSegmentVersion(
  db: Database,
  id: string,
  version: number,
): Promise<SegmentVersionRow | null> {
  const [row] = await db
    .select()
    .from(segmentVersions)
    .where(and(eq(segmentVersions.segmentId, id), eq(segmentVersions.version, version)));
  return row ?? null;
}

export function listSegments(db: Database): Promise<SegmentRow[]> {
  return db.select().from(segments).orderBy(asc(segments.id));
}

/** An active rule segment with its active version's condition, as membership needs it. */
export interface ActiveRuleSegment {
  id: string;
  version: number;
  condition: SegmentCondition;
}

/** The active rule segments an event of these types can change (all of them when null). */
export async function activeRuleSegments(
  db: Database,
  filter: { eventTypes?: string[]; ids?: string[]; readsProfile?: boolean } = {},
): Promise<ActiveRuleSegment[]> {
  const rows = await db
    .select({
      id: segments.id,
      version: segments.activeVersion,
      definition: segmentVersions.definition,
    })
    .from(segments)
    .innerJoin(
      segmentVersions,
      and(
        eq(segmentVersions.segmentId, segments.id),
        eq(segmentVersions.version, segments.activeVersion),
      ),
    )
    .where(and(eq(segments.kind, 'rule'), eq(segments.status, 'active'), ...ruleFilter(filter)));
  return rows.flatMap((row) => {
    const where = parsedVersion(row.id, row.version, row.definition).where;
    return where ? [{ id: row.id, version: row.version, condition: where }] : [];
  });
}

function ruleFilter(filter: {
  eventTypes?: string[];
  ids?: string[];
  readsProfile?: boolean;
}): SQL[] {
  return [
    ...(filter.eventTypes ? [arrayOverlaps(segments.dependsOnEvents, filter.eventTypes)] : []),
    ...(filter.ids ? [inArray(segments.id, filter.ids)] : []),
    ...(filter.readsProfile ? [eq(segments.readsProfile, true)] : []),
  ];
}

// Versions never change, so each is parsed once per process, not on every router pass.
const parsedVersions = new Map<string, SegmentDefinition>();

function parsedVersion(id: string, version: number, definition: JsonObject): SegmentDefinition {
  const key = `${id}@${version}`;
  let parsed = parsedVersions.get(key);
  if (!parsed) {
    parsed = storedDefinition(definition);
    parsedVersions.set(key, parsed);
  }
  return parsed;
}
