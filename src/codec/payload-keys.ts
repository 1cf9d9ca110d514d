/** One AES-256 key of the payload codec, named by the id stored with every payload it encrypts. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * The keys of CAIRN_PAYLOAD_KEYS: the first encrypts every new payload, every one of them
 * decrypts (rotation: put the new key first and keep the old ones until no history needs them).
 */
export interface PayloadKeyring {
  current: PayloadKey;
  byId: ReadonlyMap<string, Buffer>;
}

/** A key list that cannot be used. Its message names the entry, never key material. */
export class PayloadKeyError extends Error {
  override readonly name = 'PayloadKeyError';
}

export const PAYLOAD_KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses `id:base64key,id2:base64key` (each key 32 random bytes, e.g. `openssl rand -base64 32`). */
export function parsePayloadKeys(value: string, variable = 'CAIRN_PAYLOAD_KEYS'): PayloadKeyring {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new PayloadKeyError(`${variable}: no key`);
  const keys = entries.map((entry, index) => parseEntry(entry, `${variable}: entry ${index + 1}`));
  const byId = new Map<string, Buffer>();
  for (const { id, key } of keys) {
    if (byId.has(id)) throw new PayloadKeyError(`${variable}: key id "${id}" appears twice`);
    byId.set(id, key);
  }
  return { current: keys[0]!, byId };
}

function parseEntry(entry: string, where: string): PayloadKey {
  const colon = entry.indexOf(':');
  if (colon < 0) throw new PayloadKeyError(`${where} is not "id:base64key"`);
  const id = entry.slice(0, colon).trim();
  const encoded = entry.slice(colon + 1).trim();
  if (!KEY_ID.test(id)) {
    throw new PayloadKeyError(`${where}: the key id must be 1-64 letters, digits, ".", "_" or "-"`);
  }
  const key = Buffer.from(encoded, 'base64');
  if (!BASE64.test(encoded) || key.length !== PAYLOAD_KEY_BYTES) {
    throw new PayloadKeyError(
      `${where} (key id "${id}"): the key must be ${PAYLOAD_KEY_BYTES} bytes in base64 (openssl rand -base64 32)`,
    );
  }
  return { id, key };
}
