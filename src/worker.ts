// The production worker process: runs journey workflows and their activities.
import { NativeConnection } from '@temporalio/worker';
import { cairnDataConverter, EncryptionCodec } from './codec';
import { loadConfig } from './config';
import { openDatabase } from './db/database';
import { activitiesFromConfig, WORKER_POOLS } from './runtime/activity-deps';
import { createJourneyWorker } from './runtime/journey-worker';
import { requireSetting } from './runtime/require-setting';
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
  const worker = await createJourneyWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities: activitiesFromConfig(config, database, requireSetting('SMTP_URL', config.smtpUrl)),
    dataConverter: cairnDataConverter(
      new EncryptionCodec(requireSetting('CAIRN_PAYLOAD_KEYS', config.payloadKeys)),
    ),
  });
  try {
    await worker.run();
  } finally {
    await connection.close();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
