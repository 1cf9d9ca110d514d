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

/** A claimed event as the audience layer sees it. */
export interface AudienceEvent {
  id: string;
  customerId: string;
  type: string;
  occurredAt: Date;
  properties: unknown;
  /**
   * Imported history (events.audience_only): what it changes in the audience is history too, and
   * is never routed to a journey. Absent for live events.
   */
  history?: boolean;
}

/**
 * What keeps the audience live (src/audience's audienceUpkeep: profile rules, scores, segment
 * membership, lifecycle stages), run by the router in each pass: handed in, so routing knows
 * nothing of segments. Changes it makes are events it stores in the outbox, which the same pass
 * claims and routes after the batch (event-router.ts), like any other event.
 */
export interface AudienceUpkeep {
  /** Before a claimed batch is routed; returns how many changes it made. */
  forEvents(batch: readonly AudienceEvent[]): Promise<number>;
  /** Once a pass: work that no event asked for (due re-checks, a new version); 0 when none. */
  upkeep(): Promise<number>;
}

/** What the router needs beyond routing: the backoff for events whose routing failed. */
export interface OutboxDeps extends RoutingDeps {
  backoff?: BackoffPolicy;
  audience?: AudienceUpkeep;
}

export const silentLogger: RoutingLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
