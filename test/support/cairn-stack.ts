import { audienceUpkeep } from '../../src/audience/audience-upkeep';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { ActivityFaults } from '../../src/activities';
import { buildApi } from '../../src/api/server';
import { cairnDataConverter } from '../../src/codec';
import type { EventState } from '../../src/contract/events';
import { createOutboxSignal, startEventRouter, type EventRouter } from '../../src/routing';
import type { Database } from '../../src/db/database';
import type { CapRule } from '../../src/guardrails/cap-rules';
import { createTestJourneyWorker, type TestWorkerOptions } from './journey-worker';
import { TEST_IDENTIFIER_KEY } from './identifier-key';
import { startSmtpPeer, type SmtpPeer } from './smtp-peer';
import { testTemporalAddress } from './temporal';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TEST_API_KEY = 'test-key-integration';
/** The Temporal Web UI origin the API lets call its codec endpoint. */
export const CODEC_UI_ORIGIN = 'http://temporal-ui.test:8233';
/** The public origin the API believes it has (Twilio signs URLs under it). */
export const PUBLIC_TEST_URL = 'https://cairn.test';

export interface CairnTestStack {
  api: FastifyInstance;
  database: TestDatabase;
  smtp: SmtpPeer;
  temporal: Client;
  taskQueue: string;
  /** Sends an authenticated request to the API; T is the response body the caller expects. */
  request<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<{ status: number; body: T }>;
  /**
   * Waits, as a caller would (GET /v1/events/{id}?waitMs=), for the router to route the event;
   * answers its routing state (which runs it started) or fails if it is not routed within 15 s.
   */
  awaitRouted(eventId: string): Promise<EventState>;
  close(): Promise<void>;
}

/**
 * The whole of Cairn against real services: the shared Temporal dev server, a Postgres database
 * of its own, a real SMTP peer, a worker on a task queue of its own, the event router and the API.
 */
export async function startCairnTestStack(
  options: {
    temporalAddress?: string;
    faults?: ActivityFaults;
    withRouter?: boolean;
    /** Deadline for the API's and router's Temporal calls (default 5 s). */
    temporalTimeoutMs?: number;
    /** SMS, push, webhook and in-app channels for the worker (email always goes to the SMTP peer). */
    channels?: (db: Database) => TestWorkerOptions['channels'];
    /** Turns on the Twilio webhooks, verified with this auth token against PUBLIC_TEST_URL. */
    twilioAuthToken?: string;
    /** Global frequency caps for the worker's sends. */
    caps?: CapRule[];
    /** Signs unsubscribe links in emails and turns on the /u routes (public base PUBLIC_TEST_URL). */
    unsubscribeSecret?: string;
    /** Tracked links and open pixels in email, and the public /t routes (base PUBLIC_TEST_URL). */
    tracking?: { secret: string; excludeMachineEngagement?: boolean };
    /**
     * Production's payload codec (src/codec) for the worker and for the API's and router's
     * client, and the API's /codec endpoint with it (browser origin CODEC_UI_ORIGIN).
     */
    codec?: PayloadCodec;
    /** How long an erased customer's cancelled run may take to end before it is terminated. */
    erasureGraceMs?: number;
  } = {},
): Promise<CairnTestStack> {
  const address = options.temporalAddress ?? testTemporalAddress();
  const taskQueue = `it-${randomUUID()}`;
  const [database, smtp, connection, nativeConnection] = await Promise.all([
    createTestDatabase(),
    startSmtpPeer(),
    Connection.connect({ address }),
    NativeConnection.connect({ address }),
  ]);
  const dataConverter = options.codec ? cairnDataConverter(options.codec) : undefined;
  const temporal = new Client({ connection, ...(dataConverter ? { dataConverter } : {}) });
  // One signal shared by the API and the router, as src/api/main.ts wires them.
  const outboxSignal = createOutboxSignal();
  const deps = {
    db: database.db,
    temporal,
    taskQueue,
    defaultTimeZone: 'UTC',
    ...(options.temporalTimeoutMs ? { temporalTimeoutMs: options.temporalTimeoutMs } : {}),
  };
  const api = await buildApi({
    ...deps,
    outboxSignal,
    apiKeys: [TEST_API_KEY],
    privacy: { identifierKey: TEST_IDENTIFIER_KEY },
    ...(options.codec
      ? { codecEndpoint: { codec: options.codec, uiOrigins: [CODEC_UI_ORIGIN] } }
      : {}),
    ...(options.unsubscribeSecret
      ? { unsubscribe: { secret: options.unsubscribeSecret, publicBaseUrl: PUBLIC_TEST_URL } }
      : {}),
    ...(options.tracking
      ? {
          tracking: {
            secret: options.tracking.secret,
            publicBaseUrl: PUBLIC_TEST_URL,
            excludeMachineEngagement: options.tracking.excludeMachineEngagement ?? false,
          },
        }
      : {}),
    ...(options.twilioAuthToken
      ? {
          twilio: {
            authToken: options.twilioAuthToken,
            publicBaseUrl: PUBLIC_TEST_URL,
            helpText: 'Acme: reply STOP to opt out.',
          },
        }
      : {}),
  });
  const worker = await createTestJourneyWorker({
    connection: nativeConnection,
    taskQueue,
    db: database.db,
    smtpUrl: smtp.url,
    faults: options.faults,
    ...(dataConverter ? { dataConverter } : {}),
    channels: options.channels?.(database.db),
    gate: database.gate,
    erasure: {
      temporal: { client: temporal, taskQueue },
      graceMs: options.erasureGraceMs ?? 5_000,
    },
    ...(options.caps ? { caps: options.caps } : {}),
    ...(options.unsubscribeSecret
      ? { unsubscribe: { secret: options.unsubscribeSecret, publicBaseUrl: PUBLIC_TEST_URL } }
      : {}),
    ...(options.tracking
      ? { tracking: { secret: options.tracking.secret, publicBaseUrl: PUBLIC_TEST_URL } }
      : {}),
  });
  const running = worker.run();
  const router: EventRouter | null =
    options.withRouter === false
      ? null
      : startEventRouter({
          ...deps,
          signal: outboxSignal,
          pollIntervalMs: 100,
          audience: audienceUpkeep({ db: deps.db, emailMarketingDefault: 'opted_in' }),
          backoff: { initialMs: 200, maxMs: 1_000 },
        });

  async function request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ) {
    const response = await api.inject({
      method,
      url,
      payload: payload as object | undefined,
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    const body = (response.body ? JSON.parse(response.body) : null) as T;
    return { status: response.statusCode, body };
  }

  return {
    api,
    database,
    smtp,
    temporal,
    taskQueue,
    request,
    async awaitRouted(eventId: string) {
      const { status, body } = await request<EventState>(
        'GET',
        `/v1/events/${encodeURIComponent(eventId)}?waitMs=15000`,
      );
      if (status !== 200 || !body.routed) {
        throw new Error(`event ${eventId} was not routed (${status}: ${JSON.stringify(body)})`);
      }
      return body;
    },
    async close() {
      await api.close();
      await router?.stop();
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await smtp.stop();
      await database.close();
    },
  };
}

/** The one polling helper, also importable from here (older tests import it from cairn-stack). */
export { eventually } from './eventually';
