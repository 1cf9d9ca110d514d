import { asc, eq, sql } from 'drizzle-orm';
import type { SourceConfig } from '../contract/sources';
import type { Database } from '../db/database';
import { syncSources } from '../db/schema';

/** A stored source: its validated configuration, its version and where its next run reads. */
export interface StoredSource {
  id: string;
  config: SourceConfig;
  enabled: boolean;
  version: number;
  cursor: string | null;
  newestRowAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

function stored(row: typeof syncSources.$inferSelect): StoredSource {
  return { ...row, config: row.config as unknown as SourceConfig };
}

/** Stores a new source; null when the id is taken. */
export async function insertSource(
  db: Database,
  config: SourceConfig,
): Promise<StoredSource | null> {
  const [row] = await db
    .insert(syncSources)
    .values({ id: config.id, config: { ...config }, enabled: config.enabled })
    .onConflictDoNothing()
    .returning();
  return row ? stored(row) : null;
}

/**
 * Replaces a source's configuration as its next version; null when there is none. The cursor is
 * kept: a changed mapping applies from where the source is, never re-reading everything.
 */
export async function replaceSource(
  db: Database,
  config: SourceConfig,
): Promise<StoredSource | null> {
  const [row] = await db
    .update(syncSources)
    .set({
      config: { ...config },
      enabled: config.enabled,
      version: sql`${syncSources.version} + 1`,
      updatedAt: new Date(),
    })
    .where(eq(syncSources.id, config.id))
    .returning();
  return row ? stored(row) : null;
}

export async function findSource(db: Database, id: string): Promise<StoredSource | null> {
  const [row] = await db.select().from(syncSources).where(eq(syncSources.id, id));
  return row ? stored(row) : null;
}

export async function listSources(db: Database): Promise<StoredSource[]> {
  const rows = await db.select().from(syncSources).orderBy(asc(syncSources.id));
  return rows.map(stored);
}

/** Moves a source's cursor, in the transaction that stored the page it ends. */
export async function advanceCursor(
  tx: Database,
  sourceId: string,
  cursor: string,
  newestRowAt: Date | null,
): Promise<void> {
  await tx
    .update(syncSources)
    .set({
      cursor,
      newestRowAt: newestRowAt
        ? sql`greatest(${syncSources.newestRowAt}, ${newestRowAt.toISOString()}::timestamptz)`
        : syncSources.newestRowAt,
    })
    .where(eq(syncSources.id, sourceId));
}
