import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The embedded launcher's API key when CAIRN_API_KEYS is unset: random, generated once and kept
 * in the state directory (mode 0600), never a constant in code.
 */
export function devApiKey(stateDir: string): string {
  const file = path.join(stateDir, 'api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(stateDir, { recursive: true });
  const key = `cairn_dev_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
