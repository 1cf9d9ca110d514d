import {
  signUnsubscribeToken,
  tokenDigest,
  verifyUnsubscribeToken,
} from '../../src/guardrails/unsubscribe-token';
import { unsubscribeLinks } from '../../src/guardrails/unsubscribe-links';

const SECRET = 'unsubscribe-secret-0123456789abcdef';
const claims = {
  customerId: 'cust-42',
  channel: 'email' as const,
  topic: 'newsletter',
  deliveryId: '3f1c2a9e-0000-4000-8000-000000000001',
  issuedAt: 1_767_225_600,
};

/** Replaces one character with another of the base64url alphabet. */
function flipCharAt(token: string, index: number): string {
  const char = token[index] === 'A' ? 'B' : 'A';
  return token.slice(0, index) + char + token.slice(index + 1);
}

describe('unsubscribe tokens', () => {
  it('round-trips the claims in a URL-safe token', () => {
    const token = signUnsubscribeToken(SECRET, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyUnsubscribeToken(SECRET, token)).toEqual({ valid: true, claims });
  });

  it('carries only ids: no topic or delivery when none is given', () => {
    const token = signUnsubscribeToken(SECRET, { customerId: 'c1', channel: 'sms', issuedAt: 5 });
    expect(verifyUnsubscribeToken(SECRET, token)).toEqual({
      valid: true,
      claims: { customerId: 'c1', channel: 'sms', issuedAt: 5 },
    });
  });

  it('rejects a flipped character in the payload or the signature', () => {
    const token = signUnsubscribeToken(SECRET, claims);
    const dot = token.indexOf('.');
    for (const index of [0, 5, dot - 1, dot + 1, dot + 20, token.length - 2]) {
      expect(verifyUnsubscribeToken(SECRET, flipCharAt(token, index))).toEqual({
        valid: false,
        reason: 'bad_signature',
      });
    }
  });

  it('rejects a token signed with another secret', () => {
    const forged = signUnsubscribeToken('another-secret-that-is-long-enough!!', claims);
    expect(verifyUnsubscribeToken(SECRET, forged).valid).toBe(false);
  });

  it('rejects a payload swapped under a valid signature', () => {
    const mine = signUnsubscribeToken(SECRET, claims);
    const theirs = signUnsubscribeToken(SECRET, { ...claims, customerId: 'someone-else' });
    const spliced = `${theirs.split('.')[0]}.${mine.split('.')[1]}`;
    expect(verifyUnsubscribeToken(SECRET, spliced).valid).toBe(false);
  });

  it.each([
    '',
    'garbage',
    '.',
    'a.b',
    `${'x'.repeat(3000)}.${'y'.repeat(43)}`,
    'eyJjIjoxfQ.' + '%'.repeat(43),
    '../../etc/passwd',
  ])('answers malformed input %# without throwing', (input) => {
    expect(verifyUnsubscribeToken(SECRET, input).valid).toBe(false);
  });

  it('refuses a well-signed payload with invalid claims', () => {
    // Signed correctly but carrying a channel code that does not exist.
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const payload = Buffer.from(JSON.stringify({ c: 'c1', h: 'x', i: 1 })).toString('base64url');
    const sig = createHmac('sha256', SECRET).update(`u1.${payload}`).digest('base64url');
    expect(verifyUnsubscribeToken(SECRET, `${payload}.${sig}`)).toEqual({
      valid: false,
      reason: 'malformed',
    });
  });

  it('refuses to sign with a short secret or ids verification would refuse', () => {
    expect(() => signUnsubscribeToken('short', claims)).toThrow(/at least 32/);
    expect(() => signUnsubscribeToken(SECRET, { ...claims, customerId: 'a b' })).toThrow(/ids/);
  });

  it('builds one-click and preference links under the public URL', () => {
    const links = unsubscribeLinks(
      { secret: SECRET, publicBaseUrl: 'https://cairn.example.com/' },
      { customerId: 'cust-42', channel: 'email', topic: 'newsletter' },
      new Date('2026-01-01T00:00:00Z'),
    );
    const token = links.unsubscribe.split('/u/')[1] ?? '';
    expect(links.unsubscribe).toBe(`https://cairn.example.com/u/${token}`);
    expect(links.preferences).toBe(`https://cairn.example.com/u/${token}/preferences`);
    expect(verifyUnsubscribeToken(SECRET, token)).toEqual({
      valid: true,
      claims: {
        customerId: 'cust-42',
        channel: 'email',
        topic: 'newsletter',
        issuedAt: 1_767_225_600,
      },
    });
    expect(tokenDigest(token)).toHaveLength(22);
  });
});
