import type { Client } from '@temporalio/client';
import type { Database } from '../db/database';
import type { SendPolicy } from '../journeys/run-types';
import type { SendWindow } from '../journeys/send-window';
import type { BackoffPolicy } from './backoff';

/** The narrow logger the router needs; pino and fastify's logger fit it. */
export interface RoutingLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RoutingDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  /** Zone for local-time waits when a customer has none. */
  defaultTimeZone: string;
  /** Given to every run it starts: how long sends retry through provider outages. */
  sendPolicy?: SendPolicy;
  /** Given to every run it starts: the send window for marketing messages (quiet hours outside). */
  defaultSendWindow?: SendWindow;
  /**
   * Deadline for each Temporal call. Past it the call fails as "unreachable": the router's
   * circuit breaker opens and the event stays in the outbox. Default 5 s.
   */
  temporalTimeoutMs?: number;
  logger?: RoutingLogger;
}

/** What the router needs beyond routing: the backoff for events whose routing failed. */
export interface OutboxDeps extends RoutingDeps {
  backoff?: BackoffPolicy;
}

export const silentLogger: RoutingLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
