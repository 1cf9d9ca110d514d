import {
  signTrackingToken,
  trackingSigner,
  verifyTrackingToken,
} from '../../src/tracking/tracking-token';

const SECRET = 'tracking-secret-for-tests-0123456789';
const DELIVERY = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

describe('tracking tokens', () => {
  it.each([
    { deliveryId: DELIVERY, kind: 'open' as const },
    { deliveryId: DELIVERY, kind: 'click' as const, linkIndex: 0 },
    { deliveryId: DELIVERY, kind: 'click' as const, linkIndex: 127 },
    { deliveryId: DELIVERY, kind: 'sms_click' as const, linkIndex: 128 },
    { deliveryId: DELIVERY, kind: 'sms_click' as const, linkIndex: 16_383 },
  ])('round-trips %o', (claims) => {
    const token = signTrackingToken(SECRET, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(verifyTrackingToken(SECRET, token)).toEqual({ valid: true, claims });
  });

  it('keeps SMS tokens under 40 characters', () => {
    const sign = trackingSigner(SECRET, DELIVERY);
    expect(sign({ kind: 'sms_click', linkIndex: 3 }).length).toBeLessThan(40);
    expect(sign({ kind: 'sms_click', linkIndex: 16_383 }).length).toBeLessThan(40);
  });

  it('refuses every single-character change of a token', () => {
    const token = signTrackingToken(SECRET, { deliveryId: DELIVERY, kind: 'click', linkIndex: 2 });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < token.length; i += 1) {
      for (const char of alphabet) {
        if (char === token[i]) continue;
        const altered = token.slice(0, i) + char + token.slice(i + 1);
        expect(verifyTrackingToken(SECRET, altered).valid).toBe(false);
      }
    }
  });

  it('refuses a token signed with another secret, or cut, or extended', () => {
    const token = signTrackingToken(SECRET, { deliveryId: DELIVERY, kind: 'open' });
    const other = signTrackingToken(`${SECRET}x`, { deliveryId: DELIVERY, kind: 'open' });
    expect(verifyTrackingToken(SECRET, other)).toEqual({ valid: false, reason: 'bad_signature' });
    expect(verifyTrackingToken(SECRET, token.slice(0, -1)).valid).toBe(false);
    expect(verifyTrackingToken(SECRET, `${token}A`).valid).toBe(false);
  });

  it.each([undefined, null, 42, '', 'not a token!', 'a'.repeat(5_000), '..', 'AAAA'])(
    'answers invalid, never throws, for %p',
    (token) => {
      expect(verifyTrackingToken(SECRET, token)).toEqual({ valid: false, reason: 'malformed' });
    },
  );

  it('refuses to sign with a short secret, a non-uuid delivery or a click without its link', () => {
    expect(() => signTrackingToken('short', { deliveryId: DELIVERY, kind: 'open' })).toThrow(
      /secret/,
    );
    expect(() => signTrackingToken(SECRET, { deliveryId: 'd-1', kind: 'open' })).toThrow(
      /deliveryId/,
    );
    expect(() => signTrackingToken(SECRET, { deliveryId: DELIVERY, kind: 'click' })).toThrow(
      /linkIndex/,
    );
    expect(() =>
      signTrackingToken(SECRET, { deliveryId: DELIVERY, kind: 'click', linkIndex: 16_384 }),
    ).toThrow(/linkIndex/);
  });
});
