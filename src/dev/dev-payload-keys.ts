import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PAYLOAD_KEY_BYTES, parsePayloadKeys, type PayloadKeyring } from '../codec';

/**
 * The embedded launcher's payload key when CAIRN_PAYLOAD_KEYS is unset: random, made once and
 * kept in the state directory (mode 0600) in CAIRN_PAYLOAD_KEYS's own format. Kept, not made per
 * start: the dev server's history persists in the same directory, and runs parked across a
 * restart must still decrypt.
 */
export function devPayloadKeys(stateDir: string): PayloadKeyring {
  const file = path.join(stateDir, 'payload-keys');
  if (!existsSync(file)) {
    mkdirSync(stateDir, { recursive: true });
    const key = randomBytes(PAYLOAD_KEY_BYTES).toString('base64');
    writeFileSync(file, `dev-1:${key}\n`, { mode: 0o600 });
  }
  return parsePayloadKeys(readFileSync(file, 'utf8').trim(), file);
}
