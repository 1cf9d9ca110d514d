import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../../src/runtime/journey-worker';
import { startTemporalDevServer, type DevServer } from '../../src/dev/temporal-dev-server';
import { TEST_POSTGRES_URL } from './test-database';

declare global {
  var __cairnDevServer: DevServer | undefined;
}

/**
 * One Temporal dev server for the whole jest run (its startup is the slow part), shared by every
 * integration test through CAIRN_TEST_TEMPORAL_ADDRESS. Postgres must already be running.
 */
export default async function globalSetup(): Promise<void> {
  await assertPostgres();
  const [server, bundle] = await Promise.all([
    // No port given: it picks one and starts again on another if someone takes it first.
    startTemporalDevServer({ startTimeoutMs: 60_000 }),
    bundleWorkflowCode({ workflowsPath, logger: quietLogger }),
  ]);
  const bundlePath = path.join(os.tmpdir(), `cairn-workflow-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, bundle.code);
  process.env.CAIRN_TEST_WORKFLOW_BUNDLE = bundlePath;
  globalThis.__cairnDevServer = server;
  process.env.CAIRN_TEST_TEMPORAL_ADDRESS = server.address;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

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
