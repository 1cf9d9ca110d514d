import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { startChannelPeers, type ChannelPeers } from './channel-peers';
import { createTestJourneyWorker } from './journey-worker';
import { createTimeSkippingEnvironment } from './temporal';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TimeSkippingHarness {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  peers: ChannelPeers;
  taskQueue: string;
  /** A fresh worker with every channel wired to its peer (a Worker runs once). */
  worker(): Promise<Worker>;
}

/**
 * For a describe block: a time-skipping server, a database and every provider peer, started
 * before its tests and torn down after them.
 */
export function useTimeSkippingHarness(): TimeSkippingHarness {
  const harness = { taskQueue: `journeys-${randomUUID()}` } as TimeSkippingHarness;
  harness.worker = () =>
    createTestJourneyWorker({
      connection: harness.env.nativeConnection,
      taskQueue: harness.taskQueue,
      db: harness.database.db,
      smtpUrl: harness.peers.smtp.url,
      channels: harness.peers.channels(harness.database.db),
    });

  beforeAll(async () => {
    [harness.env, harness.database, harness.peers] = await Promise.all([
      createTimeSkippingEnvironment(),
      createTestDatabase(),
      startChannelPeers(),
    ]);
  });

  afterAll(async () => {
    await harness.env?.teardown();
    await harness.peers?.stop();
    await harness.database?.close();
  });

  return harness;
}
