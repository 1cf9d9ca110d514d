import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { FastifyServerOptions } from 'fastify';
import type { Database } from '../db/database';
import type { MergeRules } from '../identity';
import type { SendPolicy } from '../journeys/run-types';
import type { SendWindow } from '../journeys/send-window';
import type { BackoffPolicy } from '../routing/backoff';
import type { IdentifierKey } from '../privacy/identifier-hash';
import type { OutboxSignal } from '../routing/outbox-signal';
import type { WriteKey } from './write-key-auth';

export interface ApiDeps {
  db: Database;
  /** A Temporal client; calls are made with a deadline so an outage never hangs a request. */
  temporal: Client;
  taskQueue: string;
  /** Accepted bearer keys. Empty: every /v1 request is refused (fail closed). */
  apiKeys: string[];
  /** Segment-spec write keys: each reaches only POST /v1/identify, /track, … as its source. */
  writeKeys?: WriteKey[];
  /** When identifiers naming two customers merge them (src/identity); default DEFAULT_MERGE_RULES. */
  mergeRules?: MergeRules;
  /** Zone for local-time waits when a customer has none. */
  defaultTimeZone: string;
  /** Given to every run the API starts: how long sends retry through provider outages. */
  sendPolicy?: SendPolicy;
  /** Given to every run the API starts: the send window for marketing messages. */
  defaultSendWindow?: SendWindow;
  /** fastify's logger option; false (the default) for silence. Bodies are never logged. */
  logger?: FastifyServerOptions['logger'];
  /** The largest event stored (src/routing/payload-limits.ts); default a quarter of 2 MiB. */
  maxEventBytes?: number;
  /**
   * Marketing email to a customer who made no choice (EMAIL_MARKETING_DEFAULT), for segment
   * conditions on consent; default opted_in, as the send path's.
   */
  emailMarketingDefault?: 'opted_in' | 'opted_out';
  /** Deadline for each Temporal call made while serving a request. Default 5 s. */
  temporalTimeoutMs?: number;
  /**
   * How often a published rfm score's schedule recomputes it (CAIRN_SCORE_RECOMPUTE_INTERVAL,
   * as the workers have it); default a day.
   */
  scoreRecomputeIntervalMs?: number;
  /** Backoff for routing work the API does itself (explicit starts); events are the router's. */
  routingBackoff?: BackoffPolicy;
  /**
   * Serve the Swagger UI at /docs (default true). Jest on Node 20 cannot load its ESM-only
   * dependency (content-disposition 3), so in-jest tests turn it off; plain Node loads it fine.
   */
  docsUi?: boolean;
  /**
   * Woken after events are stored (API, tracking, unsubscribe, bounces, Twilio, inbox), so the
   * router in this process routes them at once rather than at its next poll. Share one with
   * startEventRouter; unset, stored events wait for the router's poll.
   */
  outboxSignal?: OutboxSignal;
  /** Twilio webhooks (signature-checked, outside the API key); unset: the routes do not exist. */
  twilio?: { authToken: string; publicBaseUrl: string; helpText: string };
  /**
   * One-click unsubscribe and the preference page under /u/:token (public, authorised by the
   * signed token); unset: the routes do not exist. publicBaseUrl is where customers reach the API.
   */
  unsubscribe?: { secret: string; publicBaseUrl: string };
  /**
   * Open pixel and click redirects under /t/* (public, authorised by the signed token); unset: the
   * routes do not exist. excludeMachineEngagement: machine opens and bot clicks are stored, flagged,
   * but not signalled to runs.
   */
  tracking?: { secret: string; publicBaseUrl: string; excludeMachineEngagement: boolean };
  /**
   * Temporal's codec server protocol under /codec, for Web UI and the CLI, authorised by an API
   * key; uiOrigins may call it from a browser. Unset: the routes do not exist.
   */
  codecEndpoint?: { codec: PayloadCodec; uiOrigins: string[] };
  /**
   * Erasure and export (src/privacy) with the key erased identifiers are hashed with
   * (CAIRN_PRIVACY_KEY, the workers' own). Unset: DELETE /v1/customers/{id} answers 503
   * privacy_not_configured and profile writes check erased ids but not erased addresses;
   * src/api/main.ts refuses to start without it.
   */
  privacy?: { identifierKey: IdentifierKey };
}
