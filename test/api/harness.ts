import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { testTemporalAddress } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

export const API_KEY = 'test-key-0123456789';
export const auth = { authorization: `Bearer ${API_KEY}` };

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

/** A fresh database, a Temporal client (live or dead) and the API built on them. */
export async function createHarness(options: { temporal: 'live' | 'dead' }): Promise<Harness> {
  const db = await createTestDatabase();
  const temporal = options.temporal === 'live' ? await liveTemporal() : deadTemporal();
  const taskQueue = `api-test-${Math.random().toString(36).slice(2, 10)}`;
  const app = await buildTestApi(db, temporal.client, taskQueue).catch(async (error: unknown) => {
    await temporal.close();
    await db.close();
    throw error;
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    db,
    temporal: temporal.client,
    taskQueue,
    app,
    baseUrl,
    inject: (request) => httpCall(baseUrl, request),
    close: async () => {
      await app.close();
      await temporal.close();
      await db.close();
    },
  };
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
): Promise<FastifyInstance> {
  return buildApi({
    docsUi: false,
    db: db.db,
    temporal,
    taskQueue,
    apiKeys: ['another-key', API_KEY],
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
