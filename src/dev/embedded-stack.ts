import { audienceUpkeep, installBuiltInScores, installBuiltInSegments } from '../audience';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { buildApi } from '../api/server';
import { cairnDataConverter, codecEndpointToken, EncryptionCodec } from '../codec';
import type { Config } from '../config';
import { openDatabase } from '../db/database';
import { createOutboxSignal, startEventRouter } from '../routing';
import { twilioWebhooks } from '../api/twilio/webhook-settings';
import { activitiesFromConfig } from '../runtime/activity-deps';
import { createJourneyWorker } from '../runtime/journey-worker';
import { ensureHousekeepingSchedule } from '../runtime/housekeeping-schedule';
import { ensureScoreSchedules } from '../runtime/score-schedule';
import { ensureSourceSchedules } from '../sync';
import { devApiKey, devSecret } from './dev-api-key';
import { devPayloadKeys } from './dev-payload-keys';
import { installBuiltInJourneys } from '../catalogue/install-built-ins';
import { startMailSink } from './mail-sink';
import { registerSearchAttributes } from './register-search-attributes';
import { startTemporalDevServer } from './temporal-dev-server';
import { eventSizeLimit } from '../routing/payload-limits';

export interface CairnStack {
  apiUrl: string;
  temporalUiUrl: string | null;
  banner: string;
  /** Stops every part in reverse order of start, once; later calls return the same promise. */
  stop(): Promise<void>;
}

export interface StartOptions {
  stateDir: string;
  /**
   * `fixed` (default): Temporal on 7233 with its Web UI on TEMPORAL_UI_PORT, the mail sink on
   * 1025. `auto`: both on ports the kernel picks and Temporal headless, so two launchers (or the
   * launcher's test) run side by side. The API listens on API_PORT either way (0: any).
   */
  ports?: 'fixed' | 'auto';
  /** Aborts a start in progress (Ctrl-C during startup): what started is stopped, then it throws. */
  signal?: AbortSignal;
  /**
   * A part stopped on its own while running (the worker failed, or the Temporal dev server
   * exited): the caller should stop the stack.
   */
  onFailed?: (error: unknown) => void;
  /** Where a part that fails to stop is reported (one line each, no stack). */
  warn?: (message: string) => void;
}

/** Starts every part of Cairn in this process; external services replace embedded ones when configured. */
export async function startCairn(given: Config, options: StartOptions): Promise<CairnStack> {
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
  // Each part that started registers how it stops; stop() runs them last-started first, so the
  // API and router stop taking work before the worker drains, and the worker has finished with
  // its connections, the mail sink and the database before they close; Temporal goes last.
  const stops: { name: string; run: () => Promise<void> }[] = [];
  const onStop = (name: string, run: () => Promise<void>) => stops.push({ name, run });
  const warn = options.warn ?? ((message: string) => console.error(message));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const step of stops.reverse()) {
        await step.run().catch((error: unknown) => {
          warn(
            `cairn: stopping ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
      }
    })());
  // Between the steps of a start: a Ctrl-C during startup stops what is already running.
  const checkAborted = () => options.signal?.throwIfAborted();
  const autoPorts = options.ports === 'auto';
  mkdirSync(options.stateDir, { recursive: true });
  const apiKeys = config.apiKeys.length > 0 ? config.apiKeys : [devApiKey(options.stateDir)];
  // Erased customers' identifiers are hashed with it; kept, so tombstones match after a restart.
  const privacyKey = config.privacyKey ?? { secret: devSecret(options.stateDir, 'privacy-key') };
  // History is encrypted here as in production; the dev server's Web UI decodes through the API.
  const codec = new EncryptionCodec(config.payloadKeys ?? devPayloadKeys(options.stateDir));
  const dataConverter = cairnDataConverter(codec);
  const uiCodec = autoPorts ? null : devUiCodec(config, apiKeys[0]!);
  try {
    const temporal = config.temporalAddress
      ? null
      : await startTemporalDevServer({
          ...(autoPorts ? {} : { port: 7233, uiPort: config.temporalUiPort }),
          ...(uiCodec ? { extraArgs: ['--ui-codec-endpoint', uiCodec.endpoint] } : {}),
          dbFile: path.join(options.stateDir, 'temporal.db'),
          ownProcessGroup: true,
          ...(options.signal ? { signal: options.signal } : {}),
        });
    if (temporal) {
      onStop('the Temporal dev server', () => temporal.stop());
      void temporal.exited.then((how) => {
        if (!stopping) options.onFailed?.(new Error(`the Temporal dev server ${how}`));
      });
    }
    checkAborted();
    const temporalAddress = config.temporalAddress ?? temporal!.address;

    const database = await openDatabase({
      url: config.databaseUrl,
      pgliteDir: path.join(options.stateDir, 'pglite'),
    });
    onStop('the database', () => database.close());
    // Before the router and the worker: both read scores from the catalogue.
    await installBuiltInScores(database.db);
    checkAborted();

    const sink = config.smtpUrl
      ? null
      : await startMailSink({
          port: autoPorts ? 0 : 1025,
          directory: path.join(options.stateDir, 'mail'),
          onMessage: (file) =>
            console.log(`cairn: mail sink stored ${path.relative(process.cwd(), file)}`),
        });
    if (sink) onStop('the mail sink', () => sink.stop());
    checkAborted();

    const connection = await Connection.connect({ address: temporalAddress });
    onStop('the Temporal client connection', () => connection.close());
    await registerSearchAttributes(connection, config.temporalNamespace);
    const client = new Client({ connection, namespace: config.temporalNamespace, dataConverter });

    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    onStop('the worker connection', () => workerConnection.close());
    checkAborted();
    const worker = await createJourneyWorker({
      connection: workerConnection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      activities: activitiesFromConfig(config, database, config.smtpUrl ?? sink!.url, {
        identifierKey: privacyKey,
        temporal: { client, taskQueue: config.taskQueue },
      }),
      dataConverter,
    });
    await ensureScoreSchedules(client, database.db, {
      taskQueue: config.taskQueue,
      intervalMs: config.scoreRecomputeIntervalMs,
    });
    await ensureSourceSchedules(client, database.db, config.taskQueue);
    await ensureHousekeepingSchedule(client, {
      taskQueue: config.taskQueue,
      specMessageRetentionMs: config.specMessageRetentionMs,
    });
    const running = worker.run().catch((error: unknown) => {
      if (!stopping) options.onFailed?.(error);
      else throw error;
    });
    onStop('the worker', async () => {
      // The SDK's own signal handlers are off (see start.ts), so this is the only shutdown.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    checkAborted();

    const routing = {
      db: database.db,
      temporal: client,
      taskQueue: config.taskQueue,
      defaultTimeZone: config.defaultTimeZone,
      sendPolicy: config.sendPolicy,
      ...(config.sendWindow ? { defaultSendWindow: config.sendWindow } : {}),
    };
    // The API wakes the router whenever it stores events.
    const outboxSignal = createOutboxSignal();
    const audience = audienceUpkeep({
      db: database.db,
      emailMarketingDefault: config.emailMarketingDefault,
    });
    const router = startEventRouter({ ...routing, signal: outboxSignal, audience });
    onStop('the event router', () => router.stop());

    const api = await buildApi({
      ...routing,
      outboxSignal,
      emailMarketingDefault: config.emailMarketingDefault,
      apiKeys,
      writeKeys: config.writeKeys,
      mergeRules: config.mergeRules,
      scoreRecomputeIntervalMs: config.scoreRecomputeIntervalMs,
      maxEventBytes: eventSizeLimit(config.temporalPayloadLimitBytes),
      logger: { level: config.logLevel ?? 'warn' },
      ...twilioWebhooks(config),
      ...(config.unsubscribe ? { unsubscribe: config.unsubscribe } : {}),
      ...(config.tracking ? { tracking: config.tracking } : {}),
      codecEndpoint: {
        codec,
        uiOrigins: [...config.codecUiOrigins, ...(temporal && uiCodec ? uiCodec.origins : [])],
      },
      privacy: { identifierKey: privacyKey },
    });
    onStop('the API', () => api.close());
    // Segments first: the re-engagement journey starts on entering inactive_30d.
    await installBuiltInSegments(database.db);
    const installed = await installBuiltInJourneys(database.db);
    checkAborted();
    const apiUrl = await api.listen({ host: config.apiHost, port: config.apiPort });

    const temporalUiUrl = temporal?.uiUrl ?? null;
    const banner = [
      '',
      'Cairn is running.',
      `  API           ${apiUrl}/v1   (docs: ${apiUrl}/docs)`,
      `  Temporal UI   ${temporal ? (temporalUiUrl ?? `none (headless dev server at ${temporalAddress})`) : `external Temporal at ${temporalAddress}`}`,
      `  Database      ${database.driver === 'pglite' ? `PGlite in ${path.join(options.stateDir, 'pglite')}` : 'Postgres (DATABASE_URL)'}`,
      `  Email         ${sink ? `local mail sink, messages in ${path.join(options.stateDir, 'mail')}` : 'SMTP_URL'}`,
      `  Payload key   ${config.payloadKeys ? 'from CAIRN_PAYLOAD_KEYS' : `in ${path.join(options.stateDir, 'payload-keys')} (made once)`}: Temporal history is encrypted, Web UI decodes it through the API`,
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

/**
 * The dev server's Web UI decodes payloads through the API's codec endpoint, with the token of
 * the first API key in its URL; the UI is opened as 127.0.0.1 or as localhost.
 */
function devUiCodec(
  config: Config,
  apiKey: string,
): { endpoint: string; origins: string[] } | null {
  if (config.apiPort === 0) return null;
  const host = config.apiHost === '0.0.0.0' ? '127.0.0.1' : config.apiHost;
  return {
    endpoint: `http://${host}:${config.apiPort}/codec/${codecEndpointToken(apiKey)}`,
    origins: ['127.0.0.1', 'localhost'].map((name) => `http://${name}:${config.temporalUiPort}`),
  };
}
