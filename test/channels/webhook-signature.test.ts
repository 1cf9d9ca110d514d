import { createHmac } from 'node:crypto';
import {
  signWebhook,
  verifyWebhookSignature,
  type SignatureCheck,
} from '../../src/channels/webhook-signature';

const secret = 'whsec-test-0123456789abcdef';
const body = '{"id":"3f1c2a9e-0000-4000-8000-000000000001","event":"cart_abandoned"}';
const signedAt = 1_767_225_600;
const at = (seconds: number) => new Date(seconds * 1000);
const reasonOf = (check: SignatureCheck) => (check.valid ? 'valid' : check.reason);

describe('webhook signature', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`${signedAt}.${body}`).digest('hex');
    expect(signWebhook(secret, signedAt, body)).toBe(`t=${signedAt},v1=${expected}`);
  });

  it('verifies the untouched body within the tolerance, on either side of the clock', () => {
    const header = signWebhook(secret, signedAt, body);
    expect(verifyWebhookSignature(secret, header, body, at(signedAt))).toEqual({
      valid: true,
      timestamp: signedAt,
    });
    expect(verifyWebhookSignature(secret, header, body, at(signedAt + 300)).valid).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, at(signedAt - 300)).valid).toBe(true);
  });

  it('rejects a tampered body and a wrong secret', () => {
    const header = signWebhook(secret, signedAt, body);
    const tampered = body.replace('cart_abandoned', 'purchase');
    expect(verifyWebhookSignature(secret, header, tampered, at(signedAt))).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature('another-secret-0123456', header, body, at(signedAt))).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('rejects a replay outside the tolerance, and honours a custom tolerance', () => {
    const header = signWebhook(secret, signedAt, body);
    expect(verifyWebhookSignature(secret, header, body, at(signedAt + 301))).toEqual({
      valid: false,
      reason: 'timestamp_out_of_tolerance',
    });
    expect(verifyWebhookSignature(secret, header, body, at(signedAt - 301)).valid).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, at(signedAt + 30), 10).valid).toBe(false);
  });

  it('rejects a re-stamped timestamp: the signature covers t', () => {
    const header = signWebhook(secret, signedAt, body).replace(
      `t=${signedAt}`,
      `t=${signedAt + 60}`,
    );
    expect(reasonOf(verifyWebhookSignature(secret, header, body, at(signedAt + 60)))).toBe(
      'mismatch',
    );
  });

  it('accepts any matching v1 (secret rotation) and ignores unknown schemes', () => {
    const good = signWebhook(secret, signedAt, body).split(',')[1];
    const header = `t=${signedAt},v0=abc,v1=${'0'.repeat(64)},${good}`;
    expect(verifyWebhookSignature(secret, header, body, at(signedAt)).valid).toBe(true);
  });

  it('fails closed on missing or malformed headers', () => {
    const v1 = `v1=${'a'.repeat(64)}`;
    expect(reasonOf(verifyWebhookSignature(secret, undefined, body, at(signedAt)))).toBe(
      'missing_header',
    );
    for (const header of [
      'garbage',
      v1,
      `t=${signedAt}`,
      `t=soon,${v1}`,
      `t=${signedAt},t=${signedAt},${v1}`,
      `t=${signedAt},v1=xyz`,
      `t=${signedAt},v1=${'a'.repeat(63)}`,
    ]) {
      expect(verifyWebhookSignature(secret, header, body, at(signedAt))).toEqual({
        valid: false,
        reason: 'malformed_header',
      });
    }
  });
});
