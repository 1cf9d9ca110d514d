// The servers a pipeline benchmark starts and stops itself: a Temporal dev server (Cairn's
// search attributes registered), the SMTP sink, and a database of its own on the local Postgres
// (created, migrated, dropped with force at the end).
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase } from '../../src/db/database';
import { startTemporalDevServer, type DevServer } from '../../src/dev/temporal-dev-server';
import { startArrivalSink, type ArrivalSink } from './arrival-sink';

const POSTGRES_URL =
  process.env.CAIRN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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
    const name = `cairn_bench_${randomBytes(6).toString('hex')}`;
    const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    cleanups.unshift(async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    });
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    // Migrated here, once, so the API and worker processes do not race to migrate it.
    await (await openDatabase({ url: url.toString() })).close();
    return { devServer, smtp, databaseUrl: url.toString(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
