// Cairn's database handle as openDatabase() builds it (postgres.js + drizzle, a main pool and a
// consent-gate pool, 10 connections each unless told), with a postgres.js `debug` hook that
// counts the statements each pool sends. Drizzle sends every statement unprepared (`sql.unsafe`),
// so postgres.js first asks the server to describe any statement with parameters, in a round trip
// of its own: round trips = statements + statements with parameters.
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import type { DatabaseHandle } from '../../src/db/database';
import * as schema from '../../src/db/schema';

export interface StatementCount {
  statements: number;
  /** Statements with parameters: each costs a describe-only round trip first. */
  described: number;
}

export interface CountingDatabase {
  handle: DatabaseHandle;
  main: StatementCount;
  gate: StatementCount;
  close(): Promise<void>;
}

export function openCountingDatabase(
  url: string,
  maxConnections = 10,
  gateConnections = 10,
): CountingDatabase {
  const main: StatementCount = { statements: 0, described: 0 };
  const gate: StatementCount = { statements: 0, described: 0 };
  const counted =
    (count: StatementCount) => (_connection: number, _query: string, params: unknown[]) => {
      count.statements += 1;
      if (params.length > 0) count.described += 1;
    };
  const mainSql = postgres(url, {
    max: maxConnections,
    onnotice: () => undefined,
    debug: counted(main),
  });
  const gateSql = postgres(url, {
    max: gateConnections,
    onnotice: () => undefined,
    debug: counted(gate),
  });
  const close = async () => {
    await gateSql.end({ timeout: 5 });
    await mainSql.end({ timeout: 5 });
  };
  return {
    handle: {
      db: drizzle(mainSql, { schema }),
      gate: drizzle(gateSql, { schema }),
      driver: 'postgres',
      close,
    },
    main,
    gate,
    close,
  };
}

export function roundTrips(count: StatementCount): number {
  return count.statements + count.described;
}
