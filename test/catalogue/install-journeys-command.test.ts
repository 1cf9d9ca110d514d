import { listSegments } from '../../src/audience';
import { builtInSegments } from '../../src/segments/library';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { listJourneys } from '../../src/catalogue';
import { findVersion } from '../../src/catalogue/journey-records';
import { builtInJourneys } from '../../src/journeys/library';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

/** `npm run journeys:install` as an operator runs it against the production database. */
const installJourneys = async (databaseUrl: string) =>
  (
    await run(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/install-journeys.ts'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
        timeout: 60_000,
      },
    )
  ).stdout;

describe('npm run journeys:install', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.close());

  it('publishes the built-in segments and journeys once, and leaves them alone after', async () => {
    const ids = builtInJourneys.map((j) => j.id);
    const segmentIds = builtInSegments.map((s) => s.id);
    expect(await installJourneys(database.url)).toBe(
      `installed built-in segments: ${segmentIds.join(', ')}\n` +
        `installed built-in journeys: ${ids.join(', ')}\n`,
    );
    expect((await listSegments(database.db)).map((s) => s.id).sort()).toEqual(
      [...segmentIds].sort(),
    );
    const journeys = await listJourneys(database.db);
    expect(journeys.map((j) => j.id).sort()).toEqual([...ids].sort());
    for (const journey of builtInJourneys) {
      const version = await findVersion(database.db, journey.id, 1);
      expect(version?.definition).toMatchObject({ id: journey.id, steps: journey.steps });
    }

    expect(await installJourneys(database.url)).toBe(
      'every built-in segment is installed already\nevery built-in journey is installed already\n',
    );
    expect((await listJourneys(database.db)).every((j) => j.activeVersion === 1)).toBe(true);
  }, 120_000);
});
