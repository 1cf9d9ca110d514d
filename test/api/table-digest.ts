import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/database';

/** The tables a request to customers, events or journeys could write. */
const TABLES = ['customers', 'events', 'journeys', 'journey_versions', 'journey_runs'] as const;

/**
 * A fingerprint of every row of those tables: any insert, update or delete changes it, so a
 * refused request can be shown to have changed nothing (a row count would miss an update).
 */
export async function tableDigest(db: Database): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const table of TABLES) {
    // The tests run on postgres-js, whose result is the array of rows.
    const rows = (await db.execute<{ digest: string }>(
      sql`select count(*) || ':' || coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') as digest from ${sql.identifier(table)} t`,
    )) as { digest: string }[];
    digests[table] = rows[0]?.digest ?? '';
  }
  return digests;
}
