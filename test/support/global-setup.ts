import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { startTemporalDevServer, type DevServer } from '../../src/dev/temporal-dev-server';
import { TEST_POSTGRES_URL } from './test-database';
import { bundleWorkflowsForTests } from './workflow-bundle';

declare global {
  var __cairnDevServer: DevServer | undefined;
}

/**
 * One Temporal dev server for the whole jest run (its startup is the slow part), shared by every
 * integration test through CAIRN_TEST_TEMPORAL_ADDRESS. Postgres must already be running.
 */
export default async function globalSetup(): Promise<void> {
  await assertPostgres();
  const [server] = await Promise.all([
    // No port given: it picks one and starts again on another if someone takes it first.
    startTemporalDevServer({ startTimeoutMs: 60_000 }),
    bundleWorkflowsForTests(path.join(os.tmpdir(), `cairn-workflow-bundle-${process.pid}.js`)),
  ]);
  globalThis.__cairnDevServer = server;
  process.env.CAIRN_TEST_TEMPORAL_ADDRESS = server.address;
}

async function assertPostgres(): Promise<void> {
  const sql = postgres(TEST_POSTGRES_URL, {
    max: 1,
    connect_timeout: 5,
    onnotice: () => undefined,
  });
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(
      `The tests need Postgres at ${TEST_POSTGRES_URL} (set CAIRN_TEST_POSTGRES_URL)`,
      { cause: error },
    );
  } finally {
    await sql.end();
  }
}
