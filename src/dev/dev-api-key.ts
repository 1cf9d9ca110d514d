import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The embedded launcher's API key when CAIRN_API_KEYS is unset: random, generated once and kept
 * in the state directory (mode 0600), never a constant in code.
 */
export function devApiKey(stateDir: string): string {
  return devSecret(stateDir, 'api-key', 'cairn_dev_');
}

/** A random secret for the embedded launcher, made once and kept in the state directory. */
export function devSecret(stateDir: string, name: string, prefix = ''): string {
  const file = path.join(stateDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(stateDir, { recursive: true });
  const secret = `${prefix}${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
