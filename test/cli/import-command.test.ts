/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.stringMatching) are typed any. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { like } from 'drizzle-orm';
import { importSummary } from '../../src/cli/import-summary';
import { progressLine } from '../../src/cli/progress-line';
import { events } from '../../src/db/schema';
import { API_KEY, auth, createHarness, type Harness } from '../api/harness';

const root = path.resolve(__dirname, '../..');

/** `npm run import` as a user runs it, against a listening API; its output when not on a TTY. */
function runImport(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/import-command.ts', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  await h.inject({ method: 'PUT', url: '/v1/customers/ada', headers: auth, payload: {} });
  dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-import-cli-'));
});
afterAll(async () => {
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run import', () => {
  it('uploads a CSV file, prints the summary with each rejected row, exits 2', async () => {
    const file = path.join(dir, 'history.csv');
    await writeFile(
      file,
      'id,customer_id,type,occurred_at\ncli-1,ada,purchase,2026-01-01T00:00:00Z\ncli-2,ghost,login,\n',
    );
    const env = { CAIRN_API_URL: h.baseUrl, CAIRN_API_KEY: API_KEY };
    const result = await runImport([file, '--source', 'shop'], env);
    expect(result.stdout.split('\n')).toEqual([
      expect.stringMatching(/^2 rows: 1 imported, 0 already stored, 1 rejected \(/),
      'imported as history: segments and scores follow, no journey starts (--trigger)',
      '  line 3, customerId: no customer with this id; import the customers first',
      '',
    ]);
    expect(result.code).toBe(2);
    const stored = await h.db.db.select().from(events).where(like(events.id, 'cli-%'));
    expect(stored).toMatchObject([{ id: 'cli-1', source: 'shop', audienceOnly: true }]);
  });

  it('exits 0 on a clean customers file and 1 when the API refuses it', async () => {
    const good = path.join(dir, 'customers.ndjson');
    await writeFile(good, '{"id":"bo","email":"bo@example.com"}\n');
    const env = { CAIRN_API_URL: h.baseUrl, CAIRN_API_KEY: API_KEY };
    const ok = await runImport([good, '--kind', 'customers'], env);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/^1 rows: 1 created/) });
    const refused = await runImport([good, '--kind', 'customers'], {
      ...env,
      CAIRN_API_KEY: 'wrong-key-0123456789',
    });
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/refused \(401\)/) });
    const usage = await runImport([path.join(dir, 'file.txt')], env);
    expect(usage).toMatchObject({ code: 1, stderr: expect.stringMatching(/must end in \.csv/) });
  });
});

describe('what it prints', () => {
  it('draws a bar of the bytes sent with the rows and their rate', () => {
    expect(progressLine({ bytesSent: 50, totalBytes: 100, rowsSent: 1_000, elapsedMs: 500 })).toBe(
      `${'█'.repeat(12)}${'░'.repeat(12)}  50% 1,000 rows sent, 2,000 rows/s`,
    );
  });

  it('says how many more rows were rejected than it lists', () => {
    const lines = importSummary(
      {
        rows: 300,
        imported: 50,
        duplicates: 0,
        rejected: 250,
        rejectedRows: [{ line: 2, path: 'type', message: 'is required' }],
        triggersJourneys: true,
        tookMs: 10,
      },
      1_000,
    );
    expect(lines).toEqual([
      '300 rows: 50 imported, 0 already stored, 250 rejected (1.0 s, 300 rows/s)',
      '  line 2, type: is required',
      '  … and 249 more rejected rows',
    ]);
  });
});
