// The servers a pipeline benchmark starts and stops itself: a Temporal dev server (Cairn's
// search attributes registered), the SMTP sink, and a database of its own on the local Postgres
// (created, migrated, dropped with force at the end).
import { startTemporalDevServer, type DevServer } from '../../src/dev/temporal-dev-server';
import { createBenchDatabase } from '../support/bench-database';
import { startArrivalSink, type ArrivalSink } from './arrival-sink';

export interface BenchServers {
  devServer: DevServer;
  smtp: ArrivalSink;
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startBenchServers(): Promise<BenchServers> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error(error));
  };
  try {
    const devServer = await startTemporalDevServer({});
    cleanups.unshift(() => devServer.stop());
    const smtp = await startArrivalSink();
    cleanups.unshift(() => smtp.stop());
    // Migrated here, once, so the API and worker processes do not race to migrate it.
    const database = await createBenchDatabase();
    cleanups.unshift(() => database.drop());
    return { devServer, smtp, databaseUrl: database.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
