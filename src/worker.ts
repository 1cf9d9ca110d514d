// The production worker process: runs journey workflows and their activities.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { cairnDataConverter, EncryptionCodec } from './codec';
import { loadConfig } from './config';
import { openDatabase } from './db/database';
import { activitiesFromConfig, WORKER_POOLS } from './runtime/activity-deps';
import { createJourneyWorker } from './runtime/journey-worker';
import { requireSetting } from './runtime/require-setting';
import { installBuiltInScores } from './audience';
import { ensureHousekeepingSchedule } from './runtime/housekeeping-schedule';
import { ensureScoreSchedules } from './runtime/score-schedule';
import { ensureSourceSchedules } from './sync';
import { requireSearchAttributes } from './runtime/search-attributes-check';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase({
    url: requireSetting('DATABASE_URL', config.databaseUrl),
    ...WORKER_POOLS,
  });
  const connection = await NativeConnection.connect({
    address: requireSetting('TEMPORAL_ADDRESS', config.temporalAddress),
  });
  await requireSearchAttributes(connection.operatorService, config.temporalNamespace);
  const dataConverter = cairnDataConverter(
    new EncryptionCodec(requireSetting('CAIRN_PAYLOAD_KEYS', config.payloadKeys)),
  );
  const identifierKey = requireSetting('CAIRN_PRIVACY_KEY', config.privacyKey);
  // Erasures (cancel runs, delete histories) and the score and source schedules use a client of
  // their own.
  const clientConnection = await Connection.connect({
    address: requireSetting('TEMPORAL_ADDRESS', config.temporalAddress),
  });
  const client = new Client({
    connection: clientConnection,
    namespace: config.temporalNamespace,
    dataConverter,
  });
  const worker = await createJourneyWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities: activitiesFromConfig(config, database, requireSetting('SMTP_URL', config.smtpUrl), {
      identifierKey,
      temporal: { client, taskQueue: config.taskQueue },
    }),
    dataConverter,
  });
  await installBuiltInScores(database.db);
  await ensureScoreSchedules(client, database.db, {
    taskQueue: config.taskQueue,
    intervalMs: config.scoreRecomputeIntervalMs,
  });
  await ensureHousekeepingSchedule(client, {
    taskQueue: config.taskQueue,
    specMessageRetentionMs: config.specMessageRetentionMs,
  });
  // A source stored while Temporal was away, or a Temporal reset since, gets its schedule back.
  await ensureSourceSchedules(client, database.db, config.taskQueue);
  try {
    await worker.run();
  } finally {
    await clientConnection.close();
    await connection.close();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
