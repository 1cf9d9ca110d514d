import type { FastifyBaseLogger } from 'fastify';
import type { OutboxDeps } from '../routing/types';
import type { ApiDeps } from './deps';

/** The router's view of the API's dependencies, logging through the request's logger. */
export function routingDeps(deps: ApiDeps, log: FastifyBaseLogger): OutboxDeps {
  return {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    defaultTimeZone: deps.defaultTimeZone,
    ...(deps.sendPolicy ? { sendPolicy: deps.sendPolicy } : {}),
    ...(deps.defaultSendWindow ? { defaultSendWindow: deps.defaultSendWindow } : {}),
    logger: log,
    ...(deps.temporalTimeoutMs !== undefined ? { temporalTimeoutMs: deps.temporalTimeoutMs } : {}),
    ...(deps.routingBackoff ? { backoff: deps.routingBackoff } : {}),
  };
}
