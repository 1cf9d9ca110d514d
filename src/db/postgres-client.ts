import type { Writable } from 'node:stream';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Sql, TransactionSql } from 'postgres';
import type { Database } from './database';

/**
 * The postgres.js client under a Database, for what drizzle does not do: COPY from a client
 * stream. `transaction` opens one on a connection of the pool and hands out that transaction's
 * `execute` (drizzle `sql` statements, parameterised as drizzle would send them) and `copyIn`
 * (`copy … from stdin` as a writable stream), so a temporary table COPY fills is seen by the
 * statements that follow. Null on embedded PGlite, which has no such client.
 */
export interface CopyTransaction {
  execute: (query: SQL) => Promise<unknown[]>;
  /** `statement` is a constant of the caller's: COPY takes no parameters. */
  copyIn: (statement: string) => Promise<Writable>;
}

export interface PostgresClient {
  transaction<T>(body: (tx: CopyTransaction) => Promise<T>): Promise<T>;
}

const dialect = new PgDialect();

export function postgresClientOf(db: Database): PostgresClient | null {
  // drizzle keeps the client it was given as $client (src/db/database.ts gives it postgres.js).
  const client = (db as unknown as { $client?: unknown }).$client;
  if (!isPostgresJs(client)) return null;
  return {
    transaction: async <T>(body: (tx: CopyTransaction) => Promise<T>) =>
      (await client.begin((tx) => body(copyTransaction(tx)))) as T,
  };
}

function copyTransaction(tx: TransactionSql): CopyTransaction {
  return {
    execute: async (query) => {
      const { sql, params } = dialect.sqlToQuery(query);
      return [...(await tx.unsafe(sql, params as never[]))];
    },
    copyIn: async (statement) => tx.unsafe(statement).writable(),
  };
}

function isPostgresJs(client: unknown): client is Sql {
  if (typeof client !== 'function') return false;
  const candidate = client as unknown as Partial<Record<'begin' | 'unsafe', unknown>>;
  return typeof candidate.begin === 'function' && typeof candidate.unsafe === 'function';
}

/**
 * `copy … from stdin` as a writable stream on the connection of a drizzle transaction (or
 * database) on postgres.js, so the rows it copies are seen by the statements that follow in that
 * transaction; null on embedded PGlite. `statement` is a constant of the caller's.
 */
export function copyInOf(db: Database): ((statement: string) => Promise<Writable>) | null {
  // drizzle's session keeps the postgres.js client (a transaction's own one inside a transaction).
  const client = (db as unknown as { _?: { session?: { client?: unknown } } })._?.session?.client;
  if (!isPostgresJs(client) && !isTransactionSql(client)) return null;
  const sql = client as Pick<Sql, 'unsafe'>;
  return async (statement) => sql.unsafe(statement).writable();
}

function isTransactionSql(client: unknown): boolean {
  if (typeof client !== 'function') return false;
  const candidate = client as unknown as Partial<Record<'savepoint' | 'unsafe', unknown>>;
  return typeof candidate.savepoint === 'function' && typeof candidate.unsafe === 'function';
}
