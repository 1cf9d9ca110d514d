import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { installBuiltInScores } from '../../src/audience/install-built-ins';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';

/** The server the suite runs against; CI starts it if it is down (see .ci/run). */
export const TEST_POSTGRES_URL =
  process.env.CAIRN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase extends DatabaseHandle {
  url: string;
}

/**
 * A fresh database that nothing has migrated yet (as on a first deploy); `drop` removes it.
 */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cairn_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  return {
    url: withDatabase(TEST_POSTGRES_URL, name),
    drop: async () => {
      const dropper = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => undefined });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

/**
 * A fresh, migrated database of its own for one test file, dropped again by close(), so test
 * files never see each other's rows. The built-in scores are installed, as every Cairn process
 * does when it starts: the router and every reader read scores from the catalogue.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `cairn_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = withDatabase(TEST_POSTGRES_URL, name);
  const handle = await openDatabase({ url, maxConnections: 20 });
  await installBuiltInScores(handle.db);
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      const dropper = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => undefined });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
