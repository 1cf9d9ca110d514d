// One stack for a pipeline benchmark: the servers, Cairn's api and worker processes on them, a
// Temporal client, and a bare worker (in this process) on a task queue of its own running
// bench/bare-workflow/workflows.ts with raw nodemailer on the same SMTP sink and pool settings.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { CairnClient } from '../../src/client';
import { createBareActivities } from '../bare-workflow/activities';
import { inLanes } from './bench-support';
import { startBenchServers, type BenchServers } from './bench-servers';
import { startCairnProcesses, type CairnProcesses } from './cairn-processes';

export const BARE_QUEUE = 'bench-bare';
export const CAIRN_QUEUE = 'bench-cairn';

export interface BenchStack {
  servers: BenchServers;
  cairn: CairnProcesses;
  client: CairnClient;
  temporal: Client;
  stop(): Promise<void>;
}

export async function startBenchStack(): Promise<BenchStack> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error(error));
  };
  try {
    const servers = await startBenchServers();
    cleanups.unshift(() => servers.stop());
    const cairn = await startCairnProcesses({
      temporalAddress: servers.devServer.address,
      databaseUrl: servers.databaseUrl,
      smtpUrl: servers.smtp.url,
      taskQueue: CAIRN_QUEUE,
    });
    cleanups.unshift(() => cairn.stop());
    const connection = await Connection.connect({ address: servers.devServer.address });
    cleanups.unshift(() => connection.close());
    const workerConnection = await NativeConnection.connect({
      address: servers.devServer.address,
    });
    cleanups.unshift(() => workerConnection.close());
    const bare = createBareActivities(servers.smtp.url, 'Bare Bench <bench@cairn.test>');
    const bareWorker = await Worker.create({
      connection: workerConnection,
      namespace: 'default',
      taskQueue: BARE_QUEUE,
      workflowsPath: require.resolve('../bare-workflow/workflows'),
      activities: bare.activities,
      maxConcurrentActivityTaskExecutions: 50, // createJourneyWorker's default
    });
    const running = bareWorker.run();
    cleanups.unshift(async () => {
      bareWorker.shutdown();
      await running;
      bare.close();
    });
    const client = new CairnClient({ baseUrl: cairn.baseUrl, apiKey: cairn.apiKey });
    return { servers, cairn, client, temporal: new Client({ connection }), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Customers `${prefix}-0..n-1`, each with the address `${prefix}-i@bench.test`. */
export async function seedCustomers(client: CairnClient, prefix: string, n: number) {
  await inLanes(n, 16, async (i) => {
    await client.upsertCustomer(`${prefix}-${i}`, { email: `${prefix}-${i}@bench.test` });
  });
}

/** Starts runs through the bulk API, one batch of up to 500 in flight; their workflow ids. */
export async function bulkStart(
  client: CairnClient,
  journeyId: string,
  customerIds: string[],
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < customerIds.length; i += 500) {
    const items = customerIds.slice(i, i + 500).map((customerId) => ({ customerId }));
    const result = await client.startJourneyRuns(journeyId, items);
    for (const item of result.items) {
      if (item.outcome !== 'started' || !item.workflowId)
        throw new Error(`run not started: ${item.outcome} ${item.reason ?? ''}`);
      ids.push(item.workflowId);
    }
  }
  return ids;
}
