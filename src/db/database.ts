import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Sql } from 'postgres';
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
 * Statements with more parameters than this are sent unprepared. Each distinct statement text a
 * connection prepares stays prepared on it (postgres.js keeps no limit), and statement text that
 * grows with a list (a multi-row insert, `in ($1, …, $n)`) would prepare one statement per length;
 * such big statements pay one describe round trip each, as every statement did before.
 */
export const PREPARED_STATEMENT_MAX_PARAMETERS = 64;

type UnsafeOptions = { prepare?: boolean } & Record<string, unknown>;

/**
 * The postgres.js client drizzle is given: the same client, except that `unsafe` — which drizzle
 * calls for every statement, with `prepare: false` unless a query was `.prepare('name')`d — uses
 * postgres.js's prepared statements (named by postgres.js, cached per connection). Unprepared,
 * postgres.js first sends Parse/Describe/Flush and waits for the parameter types before every
 * execution: one extra round trip per statement with parameters. Prepared, only a connection's
 * first execution of a statement pays it. Transactions and savepoints hand out clients wrapped
 * the same way, so statements inside drizzle's transactions are prepared too.
 */
export function withPreparedStatements<S extends Sql>(client: S): S {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (property === 'unsafe') {
        return (query: string, parameters: unknown[] = [], options: UnsafeOptions = {}) =>
          method.call(target, query, parameters, {
            ...options,
            prepare: parameters.length <= PREPARED_STATEMENT_MAX_PARAMETERS,
          });
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const body = args.pop() as (tx: Sql) => unknown;
          return method.call(target, ...args, (tx: Sql) => body(withPreparedStatements(tx)));
        };
      }
      return method.bind(target);
    },
  });
}

// One key for every Cairn process migrating this database (hashtextextended of a fixed name).
const MIGRATION_LOCK = 'select pg_advisory_lock(hashtextextended($1::text, 0))';
const MIGRATION_LOCK_NAME = 'cairn:migrations';

/**
 * Applies the migrations under a session-level advisory lock on a connection of its own: the api
 * and the worker start together (docker-compose, a rolling deploy) and each migrates first, and
 * two unlocked runs on an empty database collide in CREATE TABLE. The second process waits for
 * the lock, then finds every migration applied. Ending the connection releases the lock, also
 * when a migration fails.
 */
async function migrateSerialised(url: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const session = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await session.unsafe(MIGRATION_LOCK, [MIGRATION_LOCK_NAME]);
    await migrate(drizzle(session, { schema }), { migrationsFolder });
  } finally {
    await session.end({ timeout: 5 });
  }
}

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
    await migrateSerialised(options.url);
    const sql = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => undefined,
    });
    const db = drizzle(withPreparedStatements(sql), { schema });
    const gateSql = postgres(options.url, {
      max: options.gateConnections ?? 10,
      onnotice: () => undefined,
    });
    const gate = drizzle(withPreparedStatements(gateSql), { schema });
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
