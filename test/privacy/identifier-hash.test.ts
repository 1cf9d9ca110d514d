import fc from 'fast-check';
import {
  hashIdentifier,
  hashIdentifiers,
  IdentifierKeyError,
  normaliseIdentifier,
  parseIdentifierKey,
} from '../../src/privacy/identifier-hash';

const key = { secret: 'unit-test-identifier-key-0123456789ab' };
const other = { secret: 'another-identifier-key-0123456789abcd' };

describe('identifier hashes (the tombstone keeps identifiers only this way)', () => {
  it('hashes one address the same whatever its spelling, as the suppression list compares it', () => {
    const a = hashIdentifier(key, { kind: 'email', value: 'Ada.Lovelace@Example.com ' });
    const b = hashIdentifier(key, { kind: 'email', value: 'ada.lovelace@example.com' });
    expect(a).toEqual(b);
    expect(normaliseIdentifier('phone', ' +44 20 7946 0958 ')).toBe('+442079460958');
  });

  it('keeps kinds apart and depends on the key: the database alone cannot test a guess', () => {
    const email = hashIdentifier(key, { kind: 'email', value: 'x@example.com' });
    expect(hashIdentifier(key, { kind: 'push_token', value: 'x@example.com' }).hash).not.toBe(
      email.hash,
    );
    expect(hashIdentifier(other, { kind: 'email', value: 'x@example.com' }).hash).not.toBe(
      email.hash,
    );
  });

  it('is a fixed-length digest whatever the value, and one value given twice is one entry', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (address) => {
        const [hashed, ...rest] = hashIdentifiers(key, [
          { kind: 'email', value: address },
          { kind: 'email', value: address.toUpperCase() },
        ]);
        expect(rest).toEqual([]);
        expect(hashed?.hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(hashed?.hash).not.toBe(Buffer.from(address).toString('base64url'));
      }),
    );
  });

  it('takes a key of at least 32 characters, and names the variable, not the value, otherwise', () => {
    expect(parseIdentifierKey('  0123456789abcdef0123456789abcdef  ')).toEqual({
      secret: '0123456789abcdef0123456789abcdef',
    });
    expect(() => parseIdentifierKey('short-secret')).toThrow(IdentifierKeyError);
    expect(() => parseIdentifierKey('short-secret')).toThrow(/^CAIRN_PRIVACY_KEY must be/);
    expect(() => parseIdentifierKey('short-secret')).not.toThrow(/short-secret/);
  });
});
