import { randomBytes } from 'node:crypto';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  decodeOptionalFailureToOptionalError,
  encodeErrorToFailure,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow';
import {
  cairnDataConverter,
  EncryptionCodec,
  parsePayloadKeys,
  PayloadDecryptionError,
  PayloadKeyError,
} from '../../src/codec';

const keyText = () => randomBytes(32).toString('base64');
const [OLD_KEY, NEW_KEY, OTHER_KEY] = [keyText(), keyText(), keyText()];
const SECRET = 'ada.lovelace@example.com';

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const codecFor = (keys: string) => new EncryptionCodec(parsePayloadKeys(keys));

describe('the payload codec (AES-256-GCM, key ids, rotation)', () => {
  const codec = codecFor(`k1:${OLD_KEY}`);

  it('round-trips payloads, metadata and all, and the encrypted form holds nothing readable', async () => {
    const original = [plain({ email: SECRET, first_name: 'Ada' }), plain(null), plain('')];
    const encoded = await codec.encode(original);
    expect(encoded).toHaveLength(3);
    for (const payload of encoded) {
      expect(Buffer.from(payload.data!).includes(Buffer.from('Ada'))).toBe(false);
      expect(Buffer.from(payload.data!).includes(Buffer.from('json/plain'))).toBe(false);
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      { email: SECRET, first_name: 'Ada' },
      null,
      '',
    ]);
    expect(text(decoded[0]!.metadata!.encoding)).toBe('json/plain');
  });

  it('marks each payload with its encoding, key id and cipher, and a fresh IV every time', async () => {
    const [first, second] = await codec.encode([plain(SECRET), plain(SECRET)]);
    const metadata = Object.fromEntries(
      Object.entries(first!.metadata!).map(([name, value]) => [name, text(value)]),
    );
    expect(metadata).toEqual({
      encoding: 'binary/encrypted',
      'encryption-key-id': 'k1',
      'encryption-cipher': 'AES-256-GCM',
    });
    // The same value twice: different IVs, so different ciphertexts.
    expect(Buffer.from(first!.data!).subarray(0, 12)).not.toEqual(
      Buffer.from(second!.data!).subarray(0, 12),
    );
    expect(Buffer.from(first!.data!)).not.toEqual(Buffer.from(second!.data!));
  });

  it('rotates: the first key encrypts, the old one still decrypts what it sealed', async () => {
    const sealedWithOld = await codec.encode([plain(SECRET)]);
    const rotated = codecFor(`k2:${NEW_KEY},k1:${OLD_KEY}`);
    const [fresh] = await rotated.encode([plain(SECRET)]);
    expect(text(fresh!.metadata!['encryption-key-id'])).toBe('k2');
    const decoded = await rotated.decode([...sealedWithOld, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([SECRET, SECRET]);
    // Once k1 is retired, what only k1 sealed no longer reads: the failure names the key id.
    const retired = codecFor(`k2:${NEW_KEY}`);
    await expect(retired.decode(sealedWithOld)).rejects.toThrow(
      new PayloadDecryptionError(
        'payload encrypted with key id "k1", which CAIRN_PAYLOAD_KEYS does not hold',
      ),
    );
  });

  it('refuses altered ciphertext, an altered key id and a key of the same id that is not the one', async () => {
    const [sealed] = await codec.encode([plain(SECRET)]);
    const flipped = Buffer.from(sealed!.data!);
    flipped[20] = flipped[20]! ^ 0x01;
    const altered = { ...sealed!, data: flipped };
    const refusal = /failed authentication: altered, or not sealed with this key/;
    await expect(codec.decode([altered])).rejects.toThrow(refusal);

    const relabelled = {
      ...sealed!,
      metadata: { ...sealed!.metadata, 'encryption-key-id': Buffer.from('k9') },
    };
    await expect(codecFor(`k1:${OLD_KEY},k9:${OLD_KEY}`).decode([relabelled])).rejects.toThrow(
      refusal,
    );
    await expect(codecFor(`k1:${OTHER_KEY}`).decode([sealed!])).rejects.toThrow(refusal);
    await expect(codec.decode([{ ...sealed!, data: flipped.subarray(0, 20) }])).rejects.toThrow(
      'encrypted payload (key id "k1") is truncated',
    );
  });

  it('never quotes payload data in its errors', async () => {
    const [sealed] = await codec.encode([plain(SECRET)]);
    const errors = await Promise.all([
      codecFor(`k2:${NEW_KEY}`)
        .decode([sealed!])
        .catch((e: Error) => e.message),
      codecFor(`k1:${OTHER_KEY}`)
        .decode([sealed!])
        .catch((e: Error) => e.message),
    ]);
    for (const message of errors) {
      expect(message).not.toContain('ada');
      expect(message).not.toContain(Buffer.from(sealed!.data!).toString('base64').slice(0, 16));
    }
  });

  it('leaves payloads that were never encrypted as they are (histories from before the codec)', async () => {
    const unencrypted = plain({ email: SECRET });
    const [decoded] = await codec.decode([unencrypted]);
    expect(decoded).toBe(unencrypted);
  });

  it('puts failure messages and stack traces into a payload, which the codec encrypts', async () => {
    // As workers and clients load it: the failure converter by path, then the codec.
    const converter = loadDataConverter(cairnDataConverter(codec));
    const encoded = await encodeErrorToFailure(
      converter,
      ApplicationFailure.nonRetryable(`550 mailbox ${SECRET} unknown`, 'SmtpRefused'),
    );
    expect(encoded.message).toBe('Encoded failure');
    expect(encoded.stackTrace).toBe('');
    expect(JSON.stringify(encoded)).not.toContain('mailbox');
    expect(text(encoded.encodedAttributes!.metadata!.encoding)).toBe('binary/encrypted');
    const decoded = await decodeOptionalFailureToOptionalError(converter, encoded);
    expect(decoded?.message).toBe(`550 mailbox ${SECRET} unknown`);
  });
});

describe('CAIRN_PAYLOAD_KEYS', () => {
  it('reads id:base64key pairs, the first one encrypting', () => {
    const keyring = parsePayloadKeys(` k2:${NEW_KEY} , k1:${OLD_KEY} `);
    expect(keyring.current.id).toBe('k2');
    expect(keyring.current.key).toEqual(Buffer.from(NEW_KEY, 'base64'));
    expect([...keyring.byId.keys()]).toEqual(['k2', 'k1']);
  });

  it.each([
    ['no key', '', 'CAIRN_PAYLOAD_KEYS: no key'],
    ['a key without id', NEW_KEY, 'CAIRN_PAYLOAD_KEYS: entry 1 is not "id:base64key"'],
    ['an id twice', `k1:${NEW_KEY},k1:${OLD_KEY}`, 'CAIRN_PAYLOAD_KEYS: key id "k1" appears twice'],
    [
      'an id with a space',
      `bad id:${NEW_KEY}`,
      'CAIRN_PAYLOAD_KEYS: entry 1: the key id must be 1-64 letters',
    ],
    [
      'a 128-bit key',
      `k1:${NEW_KEY},k2:${randomBytes(16).toString('base64')}`,
      'CAIRN_PAYLOAD_KEYS: entry 2 (key id "k2"): the key must be 32 bytes in base64',
    ],
    [
      'a key that is not base64',
      'k1:not*base64*at*all',
      'entry 1 (key id "k1"): the key must be 32 bytes in base64',
    ],
  ])('refuses %s, without quoting key material', (_label, value, message) => {
    let error: unknown;
    try {
      parsePayloadKeys(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PayloadKeyError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain(NEW_KEY);
    expect((error as Error).message).not.toContain(OLD_KEY);
  });
});
