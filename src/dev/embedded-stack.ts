import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { buildApi } from '../api/server';
import type { Config } from '../config';
import { openDatabase } from '../db/database';
import { startEventRouter } from '../routing';
import { twilioWebhooks } from '../runtime/twilio-webhooks';
import { activitiesFromConfig } from '../runtime/activity-deps';
import { createJourneyWorker } from '../runtime/journey-worker';
import { devApiKey, devSecret } from './dev-api-key';
import { installBuiltInJourneys } from './install-built-ins';
import { startMailSink } from './mail-sink';
import { registerSearchAttributes } from './register-search-attributes';
import { startTemporalDevServer } from './temporal-dev-server';

export interface CairnStack {
  apiUrl: string;
  temporalUiUrl: string | null;
  banner: string;
  stop(): Promise<void>;
}

/** Starts every part of Cairn in this process; external services replace embedded ones when configured. */
export async function startCairn(
  given: Config,
  options: { stateDir: string },
): Promise<CairnStack> {
  // Unsubscribe and tracking links need signing secrets; locally they are made once and kept.
  const config: Config = {
    ...given,
    unsubscribe: given.unsubscribe ?? {
      secret: devSecret(options.stateDir, 'unsubscribe-secret'),
      publicBaseUrl: given.publicApiUrl,
    },
    tracking: given.tracking ?? {
      secret: devSecret(options.stateDir, 'tracking-secret'),
      publicBaseUrl: given.publicApiUrl,
      excludeMachineEngagement: true,
    },
  };
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse())
      await step().catch((error: unknown) => console.error(error));
  };
  mkdirSync(options.stateDir, { recursive: true });
  try {
    const temporal = config.temporalAddress
      ? null
      : await startTemporalDevServer({
          port: 7233,
          uiPort: config.temporalUiPort,
          dbFile: path.join(options.stateDir, 'temporal.db'),
        });
    if (temporal) stops.push(() => temporal.stop());
    const temporalAddress = config.temporalAddress ?? temporal!.address;

    const database = await openDatabase({
      url: config.databaseUrl,
      pgliteDir: path.join(options.stateDir, 'pglite'),
    });
    stops.push(() => database.close());

    const sink = config.smtpUrl
      ? null
      : await startMailSink({
          port: 1025,
          directory: path.join(options.stateDir, 'mail'),
          onMessage: (file) =>
            console.log(`cairn: mail sink stored ${path.relative(process.cwd(), file)}`),
        });
    if (sink) stops.push(() => sink.stop());

    const connection = await Connection.connect({ address: temporalAddress });
    stops.push(() => connection.close());
    await registerSearchAttributes(connection, config.temporalNamespace);
    const client = new Client({ connection, namespace: config.temporalNamespace });

    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    stops.push(() => workerConnection.close());
    const worker = await createJourneyWorker({
      connection: workerConnection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      activities: activitiesFromConfig(config, database, config.smtpUrl ?? sink!.url),
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });

    const apiKeys = config.apiKeys.length > 0 ? config.apiKeys : [devApiKey(options.stateDir)];
    const routing = {
      db: database.db,
      temporal: client,
      taskQueue: config.taskQueue,
      defaultTimeZone: config.defaultTimeZone,
      sendPolicy: config.sendPolicy,
      ...(config.sendWindow ? { defaultSendWindow: config.sendWindow } : {}),
    };
    const router = startEventRouter(routing);
    stops.push(() => router.stop());

    const api = await buildApi({
      ...routing,
      apiKeys,
      logger: { level: config.logLevel ?? 'warn' },
      ...twilioWebhooks(config),
      ...(config.unsubscribe ? { unsubscribe: config.unsubscribe } : {}),
      ...(config.tracking ? { tracking: config.tracking } : {}),
    });
    const installed = await installBuiltInJourneys(api, apiKeys[0]!);
    await api.listen({ host: config.apiHost, port: config.apiPort });
    stops.push(() => api.close());

    const apiUrl = `http://${config.apiHost}:${config.apiPort}`;
    const temporalUiUrl = temporal?.uiUrl ?? null;
    const banner = [
      '',
      'Cairn is running.',
      `  API           ${apiUrl}/v1   (docs: ${apiUrl}/docs)`,
      `  Temporal UI   ${temporalUiUrl ?? `external Temporal at ${temporalAddress}`}`,
      `  Database      ${database.driver === 'pglite' ? `PGlite in ${path.join(options.stateDir, 'pglite')}` : 'Postgres (DATABASE_URL)'}`,
      `  Email         ${sink ? `local mail sink, messages in ${path.join(options.stateDir, 'mail')}` : 'SMTP_URL'}`,
      config.apiKeys.length > 0
        ? '  API key       from CAIRN_API_KEYS'
        : `  API key       ${apiKeys[0]}   (stored in ${path.join(options.stateDir, 'api-key')})`,
      installed.length > 0 ? `  Installed built-in journeys: ${installed.join(', ')}` : '',
      '',
    ].join('\n');
    return { apiUrl, temporalUiUrl, banner, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
