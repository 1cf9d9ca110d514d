/**
 * Records the workflow histories the replay suite replays. `npm run replay:record` records the
 * scenarios that have no history yet (a new scenario), `npm run replay:record -- <scenario> ...`
 * records the named ones again and `-- --all` every one; `-- --out <dir>` writes into another
 * folder instead (to check that the recorder still records what it did). Each scenario runs the CURRENT workflow
 * code with real activities against a fresh Postgres database and the provider peers (SMTP,
 * Twilio, FCM), on a Temporal server of its own, and the run's history is written to
 * test/replay/histories/ with an entry in its index.json. Needs Postgres at 127.0.0.1:5432.
 * Recording an existing history again replaces what runs in flight look like: see the README.
 */
import '../support/quiet-runtime';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { startChannelPeers, type ChannelPeers } from '../support/channel-peers';
import { createTestJourneyWorker } from '../support/journey-worker';
import { createTimeSkippingEnvironment } from '../support/temporal';
import { bundleWorkflowsForTests } from '../support/workflow-bundle';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { HISTORIES_DIR, readManifest } from './history-files';
import { saveHistory } from './recording/save-history';
import { builtInScenarios } from './recording/built-in-scenarios';
import { endStateScenarios } from './recording/end-state-scenarios';
import { inFlightScenarios } from './recording/in-flight-scenarios';
import { triggerRuleScenarios } from './recording/trigger-rule-scenarios';
import {
  SUGGEST_CONTINUE_AS_NEW_AFTER,
  type RecordedRun,
  type Recording,
  type Scenario,
} from './recording/recording';

const scenarios: Scenario[] = [
  ...builtInScenarios,
  ...inFlightScenarios,
  ...endStateScenarios,
  ...triggerRuleScenarios,
];

async function main(): Promise<void> {
  const { args, outDir } = parseArgs(process.argv.slice(2));
  const names = args.filter((arg) => arg !== '--all');
  const unknown = names.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`,
    );
  }
  const recorded = new Set(readManifest(outDir).map((entry) => entry.scenario));
  const chosen =
    names.length > 0
      ? scenarios.filter((s) => names.includes(s.name))
      : args.includes('--all')
        ? scenarios
        : scenarios.filter((s) => !recorded.has(s.name));
  if (chosen.length === 0) {
    console.log('Every scenario has its histories; name one (or pass --all) to record it again.');
    return;
  }

  const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-replay-record-'));
  // The test worker factory reads the bundle the way jest's global setup hands it over.
  await bundleWorkflowsForTests(path.join(bundleDir, 'workflow-bundle.js'));

  const [database, peers] = await Promise.all([createTestDatabase(), startChannelPeers()]);
  try {
    for (const scenario of chosen) {
      const runs = await record(scenario, database, peers, outDir);
      console.log(`${scenario.name}: ${runs.map((r) => r.file).join(', ')}`);
    }
  } finally {
    await peers.stop();
    await database.close();
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): { args: string[]; outDir: string } {
  const at = argv.indexOf('--out');
  if (at === -1) return { args: argv, outDir: HISTORIES_DIR };
  const outDir = argv[at + 1];
  if (!outDir) throw new Error('--out needs a directory');
  mkdirSync(outDir, { recursive: true });
  return { args: argv.filter((_, i) => i !== at && i !== at + 1), outDir: path.resolve(outDir) };
}

async function record(
  scenario: Scenario,
  database: TestDatabase,
  peers: ChannelPeers,
  outDir: string,
): Promise<RecordedRun[]> {
  const server = await serverFor(scenario);
  try {
    const recording: Recording = {
      client: server.client,
      taskQueue: `replay-${scenario.name}`,
      db: database.db,
      peers,
      sleep: server.sleep,
      worker: (options) =>
        createTestJourneyWorker({
          connection: server.nativeConnection,
          taskQueue: `replay-${scenario.name}`,
          db: database.db,
          smtpUrl: peers.smtp.url,
          channels: peers.channels(database.db),
          gate: database.gate,
          ...(options?.caps ? { caps: options.caps } : {}),
        }),
    };
    const runs = await scenario.run(recording);
    for (const run of runs) {
      // Pin the run: a handle without a run id would follow a later continue-as-new.
      const runId = run.runId ?? (await run.handle.describe()).runId;
      const history = await server.client.workflow
        .getHandle(run.handle.workflowId, runId)
        .fetchHistory();
      await saveHistory(
        {
          file: run.file,
          workflowId: run.handle.workflowId,
          journey: run.journey,
          state: run.state,
          scenario: scenario.name,
          recordedAt: new Date().toISOString(),
        },
        history,
        outDir,
      );
    }
    return runs;
  } finally {
    await server.close();
  }
}

interface RecordingServer {
  client: Client;
  nativeConnection: NativeConnection;
  sleep: (ms: number) => Promise<void>;
  close: () => Promise<void>;
}

async function serverFor(scenario: Scenario): Promise<RecordingServer> {
  if (scenario.server === 'time-skipping') {
    const env = await createTimeSkippingEnvironment();
    if (scenario.startAt)
      await env.sleep(Date.parse(scenario.startAt) - (await env.currentTimeMs()));
    return {
      client: env.client,
      nativeConnection: env.nativeConnection,
      sleep: (ms) => env.sleep(ms),
      close: () => env.teardown(),
    };
  }
  const dev = await startTemporalDevServer({
    startTimeoutMs: 60_000,
    extraArgs: [
      '--dynamic-config-value',
      `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AFTER}`,
    ],
  });
  const [connection, nativeConnection] = await Promise.all([
    Connection.connect({ address: dev.address }),
    NativeConnection.connect({ address: dev.address }),
  ]);
  return {
    client: new Client({ connection }),
    nativeConnection,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: async () => {
      await nativeConnection.close();
      await connection.close();
      await dev.stop();
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
