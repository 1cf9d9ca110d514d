import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

/** The drizzle handle every module uses, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  /**
   * A small pool of its own for locks held across a provider call (see consent-gate.ts);
   * absent on embedded PGlite, which is a single connection.
   */
  gate?: Database;
  /** Which driver is underneath, for logs and the status endpoint. */
  driver: 'postgres' | 'pglite';
  close(): Promise<void>;
}

const migrationsFolder = path.resolve(__dirname, '../../migrations');

/**
 * Opens Postgres at `url` (postgres.js) or, when no url is given, an embedded PGlite database
 * in `pgliteDir`, and applies the drizzle migrations. Both drivers run the same migrations.
 */
export async function openDatabase(options: {
  url?: string;
  pgliteDir?: string;
  maxConnections?: number;
  gateConnections?: number;
}): Promise<DatabaseHandle> {
  if (options.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const sql = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => undefined,
    });
    const db = drizzle(sql, { schema });
    await migrate(db, { migrationsFolder });
    const gateSql = postgres(options.url, {
      max: options.gateConnections ?? 10,
      onnotice: () => undefined,
    });
    const gate = drizzle(gateSql, { schema });
    return {
      db,
      gate,
      driver: 'postgres',
      close: async () => {
        await gateSql.end({ timeout: 5 });
        await sql.end({ timeout: 5 });
      },
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const client = new PGlite(options.pgliteDir);
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  return { db, driver: 'pglite', close: () => client.close() };
}
