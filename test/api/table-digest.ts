import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/database';

/** The tables a request to customers, events or journeys could write. */
const TABLES = ['customers', 'events', 'journeys', 'journey_versions', 'journey_runs'] as const;

/**
 * A fingerprint of every row of those tables, in one statement: the count and the sum of a hash
 * of each row, so any insert, update or delete changes it and a refused request can be shown to
 * have changed nothing (a row count alone would miss an update).
 */
export async function tableDigest(
  db: Database,
  tables: readonly string[] = TABLES,
): Promise<Record<string, string>> {
  const columns = tables.map(
    (table) =>
      sql`(select count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)::numeric), 0) from ${sql.identifier(table)} t) as ${sql.identifier(table)}`,
  );
  // The tests run on postgres-js, whose result is the array of rows.
  const rows = (await db.execute<Record<string, string>>(
    sql`select ${sql.join(columns, sql`, `)}`,
  )) as Record<string, string>[];
  return rows[0] ?? {};
}
