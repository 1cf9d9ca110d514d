// The production `api` process: HTTP API plus the background event router (outbox).
import { Client, Connection } from '@temporalio/client';
import { cairnDataConverter, EncryptionCodec } from '../codec';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { startEventRouter } from '../routing/event-router';
import { createOutboxSignal } from '../routing/outbox-signal';
import { requireSetting } from '../runtime/require-setting';
import { twilioWebhooks } from './twilio/webhook-settings';
import { buildApi } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase({ url: requireSetting('DATABASE_URL', config.databaseUrl) });
  // Lazy: the API starts and stores events while Temporal is down; the router catches up later.
  const connection = Connection.lazy({
    address: requireSetting('TEMPORAL_ADDRESS', config.temporalAddress),
  });
  const codec = new EncryptionCodec(requireSetting('CAIRN_PAYLOAD_KEYS', config.payloadKeys));
  const temporal = new Client({
    connection,
    namespace: config.temporalNamespace,
    dataConverter: cairnDataConverter(codec),
  });
  // The API wakes the router whenever it stores events.
  const outboxSignal = createOutboxSignal();
  const shared = {
    db: database.db,
    temporal,
    taskQueue: config.taskQueue,
    defaultTimeZone: config.defaultTimeZone,
    sendPolicy: config.sendPolicy,
    ...(config.sendWindow ? { defaultSendWindow: config.sendWindow } : {}),
  };
  const app = await buildApi({
    ...shared,
    outboxSignal,
    apiKeys: config.apiKeys,
    logger: { level: config.logLevel ?? 'info' },
    ...twilioWebhooks(config),
    ...(config.unsubscribe ? { unsubscribe: config.unsubscribe } : {}),
    ...(config.tracking ? { tracking: config.tracking } : {}),
    codecEndpoint: { codec, uiOrigins: config.codecUiOrigins },
  });
  if (config.apiKeys.length === 0)
    app.log.warn('CAIRN_API_KEYS is empty: every /v1 request will be refused');
  const router = startEventRouter({ ...shared, logger: app.log, signal: outboxSignal });
  await app.listen({ host: config.apiHost, port: config.apiPort });

  const shutdown = async () => {
    await app.close();
    await router.stop();
    await connection.close();
    await database.close();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void shutdown().then(() => process.exit(0)));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
