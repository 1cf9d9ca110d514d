import { ConfigError } from '../config';

/**
 * An API without keys refuses every /v1 request. Under `npm start` a key is generated; in
 * production that is a misconfiguration, so the process refuses to start rather than serve 401s.
 */
export function requireApiKeysInProduction(apiKeys: string[], env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === 'production' && apiKeys.length === 0) {
    throw new ConfigError([
      'CAIRN_API_KEYS is required when NODE_ENV=production: a comma-separated list of bearer keys (see .env.example)',
    ]);
  }
}
