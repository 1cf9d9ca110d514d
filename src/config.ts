import { z } from 'zod';

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
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SMTP_URL: z.string().url().optional(),
  EMAIL_FROM: z.string().min(3).default('Cairn <journeys@localhost>'),
  COMPANY_NAME: z.string().min(1).default('Cairn Demo'),
  APP_URL: z.string().url().default('http://localhost:3000'),
  DEFAULT_TIME_ZONE: z.string().default('UTC'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).optional(),
});

export interface Config {
  databaseUrl: string | undefined;
  pgliteDir: string;
  /** Unset: the embedded launcher starts a Temporal dev server. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  taskQueue: string;
  temporalUiPort: number;
  apiKeys: string[];
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
    taskQueue: vars.TEMPORAL_TASK_QUEUE,
    temporalUiPort: vars.TEMPORAL_UI_PORT,
    apiKeys: vars.CAIRN_API_KEYS,
    apiHost: vars.API_HOST,
    apiPort: vars.API_PORT,
    smtpUrl: vars.SMTP_URL,
    emailFrom: vars.EMAIL_FROM,
    companyName: vars.COMPANY_NAME,
    appUrl: vars.APP_URL,
    defaultTimeZone: vars.DEFAULT_TIME_ZONE,
    logLevel: vars.LOG_LEVEL,
  };
}

function assertTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError([`DEFAULT_TIME_ZONE: "${zone}" is not an IANA time zone`]);
  }
}
