// Cairn's database handle as openDatabase() builds it (postgres.js with prepared statements under
// drizzle, a main pool and a consent-gate pool of 10 each), each pool's connections on a socket
// that counts what they send Postgres (bench/pg-round-trips.ts): statements, and the describe-only
// round trips postgres.js makes for a statement it has not prepared on that connection yet.
// Every statement is one round trip of its own (a Sync, or a simple Query): round trips =
// statements + describe-only round trips.
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { withPreparedStatements, type DatabaseHandle } from '../../src/db/database';
import * as schema from '../../src/db/schema';
import { countingSocket, noWireCounts, type WireCounts } from '../pg-round-trips';

export interface StatementCount {
  statements: number;
  /** Describe-only round trips: a statement sent before it was prepared on its connection. */
  described: number;
}

export interface CountingDatabase {
  handle: DatabaseHandle;
  /** Live counts, updated as statements are sent. */
  main: StatementCount;
  gate: StatementCount;
  close(): Promise<void>;
}

/** A StatementCount that reads through to the wire counts of one pool. */
function statementCount(wire: WireCounts): StatementCount {
  return {
    get statements() {
      return wire.executes;
    },
    get described() {
      return wire.describes;
    },
  };
}

function countedPool(url: string, max: number, wire: WireCounts) {
  // `socket` is a postgres.js option its type declarations leave out.
  const options = { max, onnotice: () => undefined, socket: countingSocket(url, wire) };
  return postgres(url, options as postgres.Options<Record<string, never>>);
}

export function openCountingDatabase(
  url: string,
  maxConnections = 10,
  gateConnections = 10,
): CountingDatabase {
  const mainWire = noWireCounts();
  const gateWire = noWireCounts();
  const mainSql = countedPool(url, maxConnections, mainWire);
  const gateSql = countedPool(url, gateConnections, gateWire);
  const close = async () => {
    await gateSql.end({ timeout: 5 });
    await mainSql.end({ timeout: 5 });
  };
  return {
    handle: {
      db: drizzle(withPreparedStatements(mainSql), { schema }),
      gate: drizzle(withPreparedStatements(gateSql), { schema }),
      driver: 'postgres',
      close,
    },
    main: statementCount(mainWire),
    gate: statementCount(gateWire),
    close,
  };
}

export function roundTrips(count: StatementCount): number {
  return count.statements + count.described;
}
