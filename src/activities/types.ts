import type {
  EmailChannel,
  InAppChannel,
  PushChannel,
  SmsChannel,
  WebhookChannel,
} from '../channels/channel';
import type { Database } from '../db/database';
import type { CapRule } from '../guardrails/cap-rules';
import type { ConsentGate } from '../guardrails/consent-gate';
import type { UnsubscribeSettings } from '../guardrails/unsubscribe-links';
import type { RunRegistryStatus } from '../db/schema';
import type { ChannelMessage, ChannelName } from '../journeys/channel-content';
import type { CapRuleInput } from '../journeys/schema';
import type { JsonObject, JsonValue } from '../journeys/run-types';
import type { EmailTrackingSettings } from '../tracking/track-email';
import type { ErasureTemporal } from '../privacy/customer-executions';
import type { IdentifierKey } from '../privacy/identifier-hash';

export interface ActivityConfig {
  companyName: string;
  /** Zone for formatting dates in templates when the customer has none. */
  defaultTimeZone: string;
  /** Base URL of the app, exposed to templates as {{links.app}}. */
  appUrl?: string;
  /** Further links for templates ({{links.<name>}}); they win over links.app. */
  links?: Record<string, string>;
  /** Overrides the email channel's own sender. */
  emailFrom?: string;
  /** Longer subjects are cut at a word boundary with an ellipsis. Default 78 (RFC 5322's line). */
  emailSubjectMax?: number;
  /** How long an SMS may get, and what happens to a longer one. Default: 3 segments, truncate. */
  sms?: { maxSegments: number; overflow: 'truncate' | 'refuse' };
  /** Push title and body limits. Default: 65 and 240 characters. */
  push?: { titleMax: number; bodyMax: number };
  /** Marketing email to a customer with no recorded choice: sent (opted_in) or not. Default opted_in. */
  emailMarketingDefault?: 'opted_in' | 'opted_out';
  /** Global frequency caps; a journey's own rules replace the one for the same channel and window. */
  caps?: CapRule[];
  /** Signs unsubscribe and preference links; without it marketing email has no such links. */
  unsubscribe?: UnsubscribeSettings;
  /** Open and click tracking: HTML email links rewritten to signed /t redirects, plus a pixel. */
  tracking?: EmailTrackingSettings;
}

/** Test-only hooks that simulate crashes at the points where the send path must stay safe. */
export interface ActivityFaults {
  /** Runs after every check passed and the row was claimed, just before the provider call. */
  beforeProviderCall?: (deliveryKey: string) => void | Promise<void>;
  /** Runs after the provider accepted a message and before the ledger records it as sent. */
  afterProviderAccept?: (deliveryKey: string) => void | Promise<void>;
  /** Runs after the ledger recorded the send and before the activity reports completion. */
  afterDeliveryRecorded?: (deliveryKey: string) => void | Promise<void>;
}

export interface ActivityDeps {
  db: Database;
  email: EmailChannel;
  /** Channels that are not configured skip their messages with reason channel_not_configured. */
  sms?: SmsChannel;
  push?: PushChannel;
  webhook?: WebhookChannel;
  inApp?: InAppChannel;
  /**
   * Orders sends against consent changes (see consent-gate.ts). None: the locks are taken on `db`
   * (fail closed); embedded PGlite passes SINGLE_CONNECTION_CONSENT_GATE by name.
   */
  consentGate?: ConsentGate;
  config: ActivityConfig;
  /**
   * Hashes identifiers (CAIRN_PRIVACY_KEY): the send path refuses erased customers' addresses
   * with it, and erasures write their tombstones with it. Required: no send runs unchecked.
   */
  identifierKey: IdentifierKey;
  /**
   * Temporal for the erasure workflow's activities (closing a customer's runs, deleting their
   * histories). Absent: those activities fail, naming what is missing; sends are unaffected.
   */
  erasure?: {
    temporal: ErasureTemporal;
    /** How long a cancelled run may take to end before it is terminated. Default 30 s. */
    graceMs?: number;
  };
  /**
   * Where source syncs read the secrets their sources name (connection strings, tokens).
   * Default process.env: a source names a variable of the worker's environment.
   */
  sourceEnv?: Readonly<Record<string, string | undefined>>;
  clock?: () => Date;
  faults?: ActivityFaults;
}

export interface SendMessageRequest {
  /**
   * One key per step visit of one run, e.g. `<workflowId>/<firstExecutionRunId>/<stepId>/<visit>`:
   * every retry of the same send carries the same key, and the ledger sends at most once per key.
   */
  deliveryKey: string;
  customerId: string;
  journeyId: string;
  journeyVersion: number;
  workflowId: string;
  stepId: string;
  channel: ChannelName;
  messageKind: 'marketing' | 'transactional';
  content: ChannelMessage['content'];
  /** { trigger: trigger event properties, context: run context } as the interpreter supplies them. */
  variables: JsonObject;
  /** Marketing only: the subscription topic the customer must be subscribed to. */
  topic?: string;
  /** Which messages wait for a frequency cap (defer) and which are dropped (skip). */
  priority?: 'high' | 'normal' | 'low';
  onCap?: 'defer' | 'skip';
  /** An attempt that finds an earlier one claimed and unrecorded: record unknown, or resend. */
  onUnknown?: 'skip' | 'resend';
  /** false: no open pixel and no rewritten links. */
  tracking?: boolean;
  /** The journey's own cap rules, replacing the global rule for the same channel and window. */
  caps?: CapRuleInput[];
}

export interface RunStartedRequest {
  workflowId: string;
  temporalRunId: string;
}

export interface RunFinishedRequest {
  workflowId: string;
  /** How the run ended; 'running' is refused (the driver only reports finished runs). */
  status: RunRegistryStatus;
  /** A FinishReason, or a driver-level reason such as 'error'. */
  finishReason: string;
  /** The run's decision trace, kept with the registry row for the customer timeline. */
  trace?: JsonValue[];
  /** When the run ended (ISO 8601), if not now: a report retried later keeps the real time. */
  endedAt?: string;
  /**
   * A run that ended other than completed may leave messages waiting (a quiet-hours hold, a cap
   * deferral): their ledger rows, found by the customer and this run's key prefix, are settled.
   */
  unsentDeliveries?: { customerId: string; keyPrefix: string };
}

/** Whether the runs registry row changed (false: no running row, e.g. already recorded). */
export interface RunRecordResult {
  updated: boolean;
}
