// The production `api` process: HTTP API plus the background event router (outbox).

import { Client, Connection } from '@temporalio/client';
import { audienceUpkeep, installBuiltInScores } from '../audience';
import { cairnDataConverter, EncryptionCodec } from '../codec';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { startEventRouter } from '../routing/event-router';
import { createOutboxSignal } from '../routing/outbox-signal';
import { eventSizeLimit } from '../routing/payload-limits';
import { requireSetting } from '../runtime/require-setting';
import {
  MissingSearchAttributes,
  requireSearchAttributes,
} from '../runtime/search-attributes-check';
import { requireApiKeysInProduction } from './production-keys';
import { twilioWebhooks } from './twilio/webhook-settings';
import { buildApi } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  requireApiKeysInProduction(config.apiKeys, process.env);
  const database = await openDatabase({ url: requireSetting('DATABASE_URL', config.databaseUrl) });
  // The router and every reader read scores from the catalogue: the built-ins are in it first.
  await installBuiltInScores(database.db);
  // Lazy: the API starts and stores events while Temporal is down; the router catches up later.
  const connection = Connection.lazy({
    address: requireSetting('TEMPORAL_ADDRESS', config.temporalAddress),
  });
  const codec = new EncryptionCodec(requireSetting('CAIRN_PAYLOAD_KEYS', config.payloadKeys));
  const identifierKey = requireSetting('CAIRN_PRIVACY_KEY', config.privacyKey);
  const temporal = new Client({
    connection,
    namespace: config.temporalNamespace,
    dataConverter: cairnDataConverter(codec),
  });
  const attributesChecked = await checkSearchAttributes(connection, config.temporalNamespace);
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
    emailMarketingDefault: config.emailMarketingDefault,
    apiKeys: config.apiKeys,
    writeKeys: config.writeKeys,
    mergeRules: config.mergeRules,
    scoreRecomputeIntervalMs: config.scoreRecomputeIntervalMs,
    maxEventBytes: eventSizeLimit(config.temporalPayloadLimitBytes),
    logger: { level: config.logLevel ?? 'info' },
    ...twilioWebhooks(config),
    ...(config.unsubscribe ? { unsubscribe: config.unsubscribe } : {}),
    ...(config.tracking ? { tracking: config.tracking } : {}),
    codecEndpoint: { codec, uiOrigins: config.codecUiOrigins },
    privacy: { identifierKey },
  });
  if (!attributesChecked) {
    app.log.warn('Temporal did not answer at start: its search attributes are not checked');
  }
  if (config.apiKeys.length === 0)
    app.log.warn('CAIRN_API_KEYS is empty: every /v1 request will be refused');
  const audience = audienceUpkeep({
    db: database.db,
    emailMarketingDefault: config.emailMarketingDefault,
    logger: app.log,
  });
  const router = startEventRouter({ ...shared, logger: app.log, signal: outboxSignal, audience });
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

/**
 * Refuses to start when Temporal answers and lacks Cairn's search attributes (every start would
 * fail). Temporal down at start is no reason to refuse: the API stores events and routes later.
 */
async function checkSearchAttributes(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.withDeadline(Date.now() + 3_000, () =>
      requireSearchAttributes(connection.operatorService, namespace),
    );
    return true;
  } catch (error) {
    if (error instanceof MissingSearchAttributes) throw error;
    return false;
  }
}

main().catch((error: unknown) => {
  // A setting to fix is said in words; anything else with its stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
