import { z } from 'zod';
import { parsePayloadKeys, PayloadKeyError, type PayloadKeyring } from './codec/payload-keys';
import { CapRulesError, parseFrequencyCapsEnv, type CapRule } from './guardrails/cap-rules';
import type { UnsubscribeSettings } from './guardrails/unsubscribe-links';
import { MergeRulesError, parseMergeRulesEnv, type MergeRules } from './identity/merge-rules';
import { durationOrNull } from './journeys/durations';
import type { SendPolicy } from './journeys/run-types';
import type { SendWindow } from './journeys/send-window';
import type { IdentifierKey } from './privacy/identifier-hash';

/**
 * Every setting comes from the environment, validated once at start. Secrets (API keys, SMTP
 * credentials) are never defaulted in code. `.env.example` documents each variable.
 */
const configSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().default('.cairn/pglite'),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('cairn-journeys'),
  // Temporal's blob size limit (its limit.blobSize.error); events are kept to a quarter of it.
  TEMPORAL_PAYLOAD_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(65_536)
    .default(2 * 1024 * 1024),
  TEMPORAL_UI_PORT: z.coerce.number().int().positive().default(8233),
  CAIRN_API_KEYS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    ),
  // Segment-spec write keys, one per source: "website:wk_…,mobile_app:wk_…" (src/api/write-key-auth.ts).
  CAIRN_WRITE_KEYS: z
    .string()
    .optional()
    .transform((value, ctx) => writeKeys(value ?? '', ctx)),
  CAIRN_PAYLOAD_KEYS: z.string().optional(),
  CAIRN_PRIVACY_KEY: z
    .string()
    .trim()
    .min(32, 'must be at least 32 characters (openssl rand -base64 32)')
    .optional(),
  ERASURE_GRACE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  CAIRN_CODEC_UI_ORIGINS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SMTP_URL: z.string().url().optional(),
  EMAIL_FROM: z.string().min(3).default('Cairn <journeys@localhost>'),
  COMPANY_NAME: z.string().min(1).default('Cairn Demo'),
  APP_URL: z.string().url().default('http://localhost:3000'),
  DEFAULT_TIME_ZONE: z.string().default('UTC'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).optional(),
  PUBLIC_API_URL: z.string().url().optional(),
  SEND_WINDOW: z
    .string()
    .regex(
      /^(always|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/,
      'must be "HH:MM-HH:MM" in the customer\'s time zone, or "always"',
    )
    .default('08:00-21:00'),
  CAIRN_FREQUENCY_CAPS: z.string().optional(),
  EMAIL_MARKETING_DEFAULT: z.enum(['opted_in', 'opted_out']).default('opted_in'),
  UNSUBSCRIBE_SECRET: z.string().min(32).optional(),
  TRACKING_SECRET: z.string().min(32).optional(),
  TRACKING_EXCLUDE_MACHINE_ENGAGEMENT: z.enum(['true', 'false']).default('true'),
  SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(12),
  SEND_MAX_RETRY_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  EMAIL_SUBJECT_MAX: z.coerce.number().int().min(20).max(998).default(78),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits')
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_FROM: z
    .string()
    .regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 number')
    .optional(),
  TWILIO_MESSAGING_SERVICE_SID: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'must be MG followed by 32 hex digits')
    .optional(),
  TWILIO_API_BASE_URL: z.string().url().optional(),
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(3),
  SMS_OVERFLOW: z.enum(['truncate', 'refuse']).default('truncate'),
  SMS_HELP_TEXT: z.string().min(1).max(320).default('Reply STOP to unsubscribe.'),
  FIREBASE_PROJECT_ID: z.string().min(1).optional(),
  // An FCM-compatible endpoint of one's own (staging, tests) instead of Google, its CA file and
  // a fixed bearer token for it; see src/channels/fcm-endpoint.ts.
  FCM_ENDPOINT: z.string().url().startsWith('https://').optional(),
  FCM_ENDPOINT_CA_FILE: z.string().min(1).optional(),
  FCM_ACCESS_TOKEN: z.string().min(1).optional(),
  PUSH_TITLE_MAX: z.coerce.number().int().min(10).max(500).default(65),
  PUSH_BODY_MAX: z.coerce.number().int().min(20).max(2000).default(240),
  WEBHOOK_ENDPOINTS: z
    .string()
    .optional()
    .transform((value, ctx) => parseEndpoints(value, ctx)),
  WEBHOOK_SIGNING_SECRET: z.string().min(32).optional(),
  // How often the scheduled scores (RFM) are recomputed: a duration from a minute to 30 days.
  CAIRN_SCORE_RECOMPUTE_INTERVAL: z
    .string()
    .default('24h')
    .refine((value) => {
      const ms = durationOrNull(value);
      return ms !== null && ms >= 60_000 && ms <= 30 * 86_400_000;
    }, 'must be a duration from "1m" to "30d", such as "24h"'),
  // How long an accepted Segment-spec messageId is remembered: a day to ten years.
  CAIRN_SPEC_MESSAGE_RETENTION: z
    .string()
    .default('30d')
    .refine((value) => {
      const ms = durationOrNull(value);
      return ms !== null && ms >= 86_400_000 && ms <= 3650 * 86_400_000;
    }, 'must be a duration from "1d" to "3650d", such as "30d"'),
  // Identity merge rules as JSON, key by key over the defaults (src/identity/merge-rules.ts).
  CAIRN_MERGE_RULES: z.string().optional(),
});

function parseEndpoints(value: string | undefined, ctx: z.RefinementCtx): Record<string, string> {
  if (!value) return {};
  try {
    const parsed = z.record(z.string(), z.string().url()).parse(JSON.parse(value));
    return parsed;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of endpoint name to URL' });
    return {};
  }
}

export interface Config {
  databaseUrl: string | undefined;
  pgliteDir: string;
  /** Unset: the embedded launcher starts a Temporal dev server. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  /** Temporal's payload limit (TEMPORAL_PAYLOAD_LIMIT_BYTES); events stay within a quarter. */
  temporalPayloadLimitBytes: number;
  taskQueue: string;
  temporalUiPort: number;
  apiKeys: string[];
  /** Segment-spec write keys (CAIRN_WRITE_KEYS): each reaches only the spec endpoints, as its source. */
  writeKeys: { source: string; key: string }[];
  /** Encrypts Temporal payloads (CAIRN_PAYLOAD_KEYS); unset: `npm start` makes a key, workers and the API refuse to start. */
  payloadKeys: PayloadKeyring | undefined;
  /**
   * Hashes erased customers' identifiers (CAIRN_PRIVACY_KEY); unset: `npm start` makes one,
   * workers and the API refuse to start.
   */
  privacyKey: IdentifierKey | undefined;
  /** How long an erased customer's cancelled run may take to end before it is terminated. */
  erasureGraceMs: number;
  /** Origins of Temporal Web UI allowed to call the codec endpoint from a browser. */
  codecUiOrigins: string[];
  apiHost: string;
  apiPort: number;
  /** Unset: the embedded launcher starts a local mail sink. */
  smtpUrl: string | undefined;
  emailFrom: string;
  companyName: string;
  appUrl: string;
  defaultTimeZone: string;
  /** Unset: each process picks its own default (api: info, npm start: warn, to keep the console readable). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | undefined;
  /** Where providers reach the API (Twilio callbacks); defaults to http://API_HOST:API_PORT. */
  publicApiUrl: string;
  emailSubjectMax: number;
  /** How long a send retries through a provider outage before the step records a failure. */
  sendPolicy: SendPolicy;
  /** Marketing email to customers with no recorded email choice: sent or not. */
  emailMarketingDefault: 'opted_in' | 'opted_out';
  /** Global frequency caps (CAIRN_FREQUENCY_CAPS); journeys may replace a rule for their runs. */
  frequencyCaps: CapRule[];
  /** Signs open/click tracking links; unset: no tracking and the /t routes are off. */
  tracking:
    { secret: string; publicBaseUrl: string; excludeMachineEngagement: boolean } | undefined;
  /** Signs unsubscribe links; unset: marketing email carries none and the /u routes are off. */
  unsubscribe: UnsubscribeSettings | undefined;
  /** Marketing messages wait for this daily window in the customer's zone; null: any time. */
  sendWindow: SendWindow | null;
  /** Unset: SMS messages are skipped with channel_not_configured (their fallback is used). */
  twilio:
    | {
        accountSid: string;
        authToken: string;
        from?: string;
        messagingServiceSid?: string;
        apiBaseUrl?: string;
      }
    | undefined;
  sms: { maxSegments: number; overflow: 'truncate' | 'refuse'; helpText: string };
  /** Unset: push messages are skipped with channel_not_configured. */
  firebaseProjectId: string | undefined;
  /** Push sent to an endpoint of one's own (FCM_ENDPOINT) rather than to Google's FCM. */
  fcmEndpoint: { url: string; caFile?: string; accessToken?: string } | undefined;
  push: { titleMax: number; bodyMax: number };
  /** Unset secret: webhook messages are skipped with channel_not_configured. */
  webhook: { endpoints: Record<string, string>; secret: string } | undefined;
  /** How often the RFM score's Temporal Schedule recomputes it (default a day). */
  scoreRecomputeIntervalMs: number;
  /** CAIRN_SPEC_MESSAGE_RETENTION: how long a Segment-spec messageId is remembered. */
  specMessageRetentionMs: number;
  /** When identifiers pointing at two customers merge them (CAIRN_MERGE_RULES over the defaults). */
  mergeRules: MergeRules;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const vars = parsed.data;
  assertTimeZone(vars.DEFAULT_TIME_ZONE);
  return {
    databaseUrl: vars.DATABASE_URL,
    pgliteDir: vars.PGLITE_DIR,
    temporalAddress: vars.TEMPORAL_ADDRESS,
    temporalNamespace: vars.TEMPORAL_NAMESPACE,
    temporalPayloadLimitBytes: vars.TEMPORAL_PAYLOAD_LIMIT_BYTES,
    taskQueue: vars.TEMPORAL_TASK_QUEUE,
    temporalUiPort: vars.TEMPORAL_UI_PORT,
    apiKeys: vars.CAIRN_API_KEYS,
    writeKeys: vars.CAIRN_WRITE_KEYS,
    payloadKeys: payloadKeys(vars.CAIRN_PAYLOAD_KEYS),
    privacyKey: vars.CAIRN_PRIVACY_KEY ? { secret: vars.CAIRN_PRIVACY_KEY } : undefined,
    erasureGraceMs: vars.ERASURE_GRACE_SECONDS * 1_000,
    codecUiOrigins: vars.CAIRN_CODEC_UI_ORIGINS,
    apiHost: vars.API_HOST,
    apiPort: vars.API_PORT,
    smtpUrl: vars.SMTP_URL,
    emailFrom: vars.EMAIL_FROM,
    companyName: vars.COMPANY_NAME,
    appUrl: vars.APP_URL,
    defaultTimeZone: vars.DEFAULT_TIME_ZONE,
    logLevel: vars.LOG_LEVEL,
    publicApiUrl: vars.PUBLIC_API_URL ?? `http://${vars.API_HOST}:${vars.API_PORT}`,
    emailSubjectMax: vars.EMAIL_SUBJECT_MAX,
    sendWindow: parseSendWindow(vars.SEND_WINDOW),
    frequencyCaps: parseCaps(vars.CAIRN_FREQUENCY_CAPS),
    emailMarketingDefault: vars.EMAIL_MARKETING_DEFAULT,
    tracking: vars.TRACKING_SECRET
      ? {
          secret: vars.TRACKING_SECRET,
          publicBaseUrl: vars.PUBLIC_API_URL ?? `http://${vars.API_HOST}:${vars.API_PORT}`,
          excludeMachineEngagement: vars.TRACKING_EXCLUDE_MACHINE_ENGAGEMENT === 'true',
        }
      : undefined,
    unsubscribe: vars.UNSUBSCRIBE_SECRET
      ? {
          secret: vars.UNSUBSCRIBE_SECRET,
          publicBaseUrl: vars.PUBLIC_API_URL ?? `http://${vars.API_HOST}:${vars.API_PORT}`,
        }
      : undefined,
    sendPolicy: {
      maximumAttempts: vars.SEND_MAX_ATTEMPTS,
      maximumIntervalSeconds: vars.SEND_MAX_RETRY_INTERVAL_SECONDS,
    },
    twilio: twilioConfig(vars),
    sms: {
      maxSegments: vars.SMS_MAX_SEGMENTS,
      overflow: vars.SMS_OVERFLOW,
      helpText: vars.SMS_HELP_TEXT,
    },
    firebaseProjectId: vars.FIREBASE_PROJECT_ID,
    fcmEndpoint: vars.FCM_ENDPOINT
      ? {
          url: vars.FCM_ENDPOINT,
          ...(vars.FCM_ENDPOINT_CA_FILE ? { caFile: vars.FCM_ENDPOINT_CA_FILE } : {}),
          ...(vars.FCM_ACCESS_TOKEN ? { accessToken: vars.FCM_ACCESS_TOKEN } : {}),
        }
      : undefined,
    push: { titleMax: vars.PUSH_TITLE_MAX, bodyMax: vars.PUSH_BODY_MAX },
    webhook: vars.WEBHOOK_SIGNING_SECRET
      ? { endpoints: vars.WEBHOOK_ENDPOINTS, secret: vars.WEBHOOK_SIGNING_SECRET }
      : undefined,
    scoreRecomputeIntervalMs: durationOrNull(vars.CAIRN_SCORE_RECOMPUTE_INTERVAL)!,
    specMessageRetentionMs: durationOrNull(vars.CAIRN_SPEC_MESSAGE_RETENTION)!,
    mergeRules: mergeRules(vars.CAIRN_MERGE_RULES),
  };
}

function parseCaps(value: string | undefined): CapRule[] {
  try {
    return parseFrequencyCapsEnv(value);
  } catch (error) {
    if (error instanceof CapRulesError) {
      throw new ConfigError(error.issues.map((issue) => `${issue.path}: ${issue.message}`));
    }
    throw error;
  }
}

function mergeRules(value: string | undefined): MergeRules {
  try {
    return parseMergeRulesEnv(value);
  } catch (error) {
    if (error instanceof MergeRulesError) {
      throw new ConfigError(
        error.issues.map((issue) => `CAIRN_MERGE_RULES.${issue.path}: ${issue.message}`),
      );
    }
    throw error;
  }
}

function payloadKeys(value: string | undefined): PayloadKeyring | undefined {
  if (!value?.trim()) return undefined;
  try {
    return parsePayloadKeys(value);
  } catch (error) {
    if (error instanceof PayloadKeyError) throw new ConfigError([error.message]);
    throw error;
  }
}

function parseSendWindow(value: string): SendWindow | null {
  if (value === 'always') return null;
  const [start, end] = value.split('-') as [string, string];
  return { start, end };
}

function twilioConfig(vars: z.infer<typeof configSchema>): Config['twilio'] {
  if (!vars.TWILIO_ACCOUNT_SID && !vars.TWILIO_AUTH_TOKEN) return undefined;
  const problems: string[] = [];
  if (!vars.TWILIO_ACCOUNT_SID)
    problems.push('TWILIO_ACCOUNT_SID: required with TWILIO_AUTH_TOKEN');
  if (!vars.TWILIO_AUTH_TOKEN) problems.push('TWILIO_AUTH_TOKEN: required with TWILIO_ACCOUNT_SID');
  if (!vars.TWILIO_FROM === !vars.TWILIO_MESSAGING_SERVICE_SID) {
    problems.push('TWILIO_FROM / TWILIO_MESSAGING_SERVICE_SID: set exactly one');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    accountSid: vars.TWILIO_ACCOUNT_SID!,
    authToken: vars.TWILIO_AUTH_TOKEN!,
    ...(vars.TWILIO_FROM ? { from: vars.TWILIO_FROM } : {}),
    ...(vars.TWILIO_MESSAGING_SERVICE_SID
      ? { messagingServiceSid: vars.TWILIO_MESSAGING_SERVICE_SID }
      : {}),
    ...(vars.TWILIO_API_BASE_URL ? { apiBaseUrl: vars.TWILIO_API_BASE_URL } : {}),
  };
}

function assertTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError([`DEFAULT_TIME_ZONE: "${zone}" is not an IANA time zone`]);
  }
}

/** "source:key" pairs; a source is a lower-case name (website, mobile_app), a key 16+ characters. */
function writeKeys(value: string, ctx: z.RefinementCtx): { source: string; key: string }[] {
  const pairs = value
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean);
  return pairs.flatMap((pair) => {
    const match = /^([a-z][a-z0-9_]{0,62}):(\S{16,})$/.exec(pair);
    if (match?.[1] && match[2]) return [{ source: match[1], key: match[2] }];
    // Never echo the pair: it holds a secret.
    ctx.addIssue({
      code: 'custom',
      message: 'each entry must be source:key (a lower-case source name, a key of 16+ characters)',
    });
    return [];
  });
}
