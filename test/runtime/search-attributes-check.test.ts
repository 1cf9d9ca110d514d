import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { missingSearchAttributes } from '../../src/runtime/search-attributes-check';
import { eventually } from '../support/eventually';
import { connectTestClient, testTemporalAddress } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

/** Runs `npm run worker` or `npm run api` (tsx) until it exits; resolves with code and stderr. */
async function processExit(
  entry: string,
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), entry], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

describe("Cairn's search attributes on the Temporal namespace", () => {
  let connection: Connection;
  let database: TestDatabase;
  // A namespace of its own, registered without any of Cairn's search attributes.
  const bare = `bare-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    ({ connection } = await connectTestClient());
    database = await createTestDatabase();
    await connection.workflowService.registerNamespace({
      namespace: bare,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    await eventually(() => missingSearchAttributes(connection.operatorService, bare), {
      describe: `namespace ${bare} to answer`,
    });
  }, 60_000);

  afterAll(async () => {
    await database?.close();
    await connection?.close();
  });

  it('are all there on the namespace the suite runs on', async () => {
    expect(await missingSearchAttributes(connection.operatorService, 'default')).toEqual([]);
  });

  it('are named when a namespace lacks them', async () => {
    expect(await missingSearchAttributes(connection.operatorService, bare)).toEqual([
      'CustomerId=Keyword',
      'JourneyId=Keyword',
      'JourneyVersion=Int',
      'JourneyStep=Keyword',
      'JourneyStatus=Keyword',
    ]);
  });

  const env = () => ({
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: testTemporalAddress(),
    TEMPORAL_NAMESPACE: bare,
    SMTP_URL: 'smtp://127.0.0.1:2',
    CAIRN_PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    CAIRN_PRIVACY_KEY: randomBytes(32).toString('base64'),
    API_PORT: '0',
  });

  it.each(['src/worker.ts', 'src/api/main.ts'])(
    'keep %s from starting when missing, with the command that registers them',
    async (entry) => {
      const { code, stderr } = await processExit(entry, env());
      expect(code).toBe(1);
      expect(stderr).toContain(`Temporal namespace "${bare}" lacks Cairn's search attributes`);
      expect(stderr).toContain('CustomerId=Keyword');
      expect(stderr).toContain(
        `temporal operator search-attribute create --namespace ${bare} --name CustomerId --type Keyword`,
      );
    },
    90_000,
  );
});
