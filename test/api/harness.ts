import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server';
import { audienceUpkeep } from '../../src/audience/audience-upkeep';
import type { EventState } from '../../src/contract/events';
import {
  createOutboxSignal,
  startEventRouter,
  type EventRouter,
  type OutboxSignal,
} from '../../src/routing';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';
import { testTemporalAddress } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

export const API_KEY = 'test-key-0123456789';
export const auth = { authorization: `Bearer ${API_KEY}` };
/** The website source's Segment-spec write key (POST /v1/track, /v1/batch, …). */
export const WRITE_KEY = 'wk_website_0123456789abcdef';

export async function liveTemporal(): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: testTemporalAddress() });
  return { client: new Client({ connection }), close: () => connection.close() };
}

/** A client whose server never answers: nothing listens on port 1. */
export function deadTemporal(): { client: Client; close: () => Promise<void> } {
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '500ms' });
  return { client: new Client({ connection }), close: () => connection.close() };
}

export interface Harness {
  db: TestDatabase;
  temporal: Client;
  taskQueue: string;
  app: FastifyInstance;
  /** Shared by the API and the router (when there is one). */
  outboxSignal: OutboxSignal;
  /** http://127.0.0.1:<port> of the listening API. */
  baseUrl: string;
  inject(request: InjectRequest): Promise<InjectResponse>;
  close(): Promise<void>;
}

export interface InjectRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
}

export interface InjectResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests probe bodies loosely
  json(): any;
}

/**
 * fastify.inject() needs light-my-request, whose ESM-only dependency jest cannot load on Node
 * 20; the tests speak real HTTP to a listening server instead.
 */
export async function httpCall(baseUrl: string, request: InjectRequest): Promise<InjectResponse> {
  const headers: Record<string, string> = { ...(request.headers ?? {}) };
  let body: string | undefined;
  if (request.payload !== undefined) {
    body = typeof request.payload === 'string' ? request.payload : JSON.stringify(request.payload);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + request.url, {
    method: request.method ?? 'GET',
    headers,
    body,
  });
  const text = await res.text();
  return {
    statusCode: res.status,
    headers: Object.fromEntries(res.headers.entries()),
    body: text,
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return
    json: () => JSON.parse(text),
  };
}

/**
 * A fresh database, a Temporal client (live or dead) and the API built on them; with router: true
 * also the background event router, woken by the API as src/api/main.ts wires them (without one,
 * stored events stay in the outbox until the test routes them).
 */
export async function createHarness(options: {
  temporal: 'live' | 'dead';
  router?: boolean;
}): Promise<Harness> {
  const db = await createTestDatabase();
  const temporal = options.temporal === 'live' ? await liveTemporal() : deadTemporal();
  const taskQueue = `api-test-${Math.random().toString(36).slice(2, 10)}`;
  const outboxSignal = createOutboxSignal();
  const app = await buildTestApi(db, temporal.client, taskQueue, outboxSignal).catch(
    async (error: unknown) => {
      await temporal.close();
      await db.close();
      throw error;
    },
  );
  const router: EventRouter | null = options.router
    ? startEventRouter({
        ...routerDeps(db, temporal.client, taskQueue),
        signal: outboxSignal,
        pollIntervalMs: 100,
      })
    : null;
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    db,
    temporal: temporal.client,
    taskQueue,
    app,
    outboxSignal,
    baseUrl,
    inject: (request) => httpCall(baseUrl, request),
    close: async () => {
      await app.close();
      await router?.stop();
      await temporal.close();
      await db.close();
    },
  };
}

/** What the router needs, as the test API has it. */
export function routerDeps(db: TestDatabase, temporal: Client, taskQueue: string) {
  return {
    db: db.db,
    temporal,
    taskQueue,
    defaultTimeZone: 'UTC',
    temporalTimeoutMs: 1_500,
    backoff: { initialMs: 50, maxMs: 200 },
    audience: audienceUpkeep({ db: db.db, emailMarketingDefault: 'opted_in' }),
  };
}

/**
 * Waits, as a caller would (GET /v1/events/{id}?waitMs=), until the event is routed, and answers
 * its routing state; fails the test if it is not routed within 10 s.
 */
export async function awaitRouted(h: Harness, id: string): Promise<EventState> {
  const res = await h.inject({
    url: `/v1/events/${encodeURIComponent(id)}?waitMs=10000`,
    headers: auth,
  });
  expect(res.statusCode).toBe(200);
  const state = res.json() as EventState;
  expect(state).toMatchObject({ id, routed: true });
  return state;
}

/** Publishes a journey version through the API; a refusal fails the test where it happens. */
export async function publishJourney(h: Harness, definition: unknown): Promise<void> {
  const res = await h.inject({
    method: 'POST',
    url: '/v1/journeys',
    headers: auth,
    payload: definition,
  });
  expect(res.statusCode).toBe(201);
}

export function buildTestApi(
  db: TestDatabase,
  temporal: Client,
  taskQueue: string,
  outboxSignal?: OutboxSignal,
): Promise<FastifyInstance> {
  return buildApi({
    ...(outboxSignal ? { outboxSignal } : {}),
    docsUi: false,
    db: db.db,
    temporal,
    taskQueue,
    apiKeys: ['another-key', API_KEY],
    writeKeys: [{ source: 'website', key: WRITE_KEY }],
    privacy: { identifierKey: TEST_IDENTIFIER_KEY },
    defaultTimeZone: 'UTC',
    temporalTimeoutMs: 1_500,
    routingBackoff: { initialMs: 50, maxMs: 200 },
  });
}

export const welcomeJourney: JourneyDefinitionInput = {
  id: 'welcome',
  name: 'Welcome series',
  trigger: { event: 'signed_up' },
  reEntry: { mode: 'once' },
  exitOn: [{ event: 'unsubscribed' }],
  entry: 'hello',
  steps: [
    {
      id: 'hello',
      type: 'send',
      channel: 'email',
      content: { subject: 'Welcome', html: '<p>Hi</p>' },
      next: 'pause',
    },
    { id: 'pause', type: 'wait', for: '2d', next: 'done' },
    { id: 'done', type: 'exit' },
  ],
};
