import type { Database } from '../../src/db/database';
import {
  consentGateFor,
  createConsentGate,
  SINGLE_CONNECTION_CONSENT_GATE,
} from '../../src/guardrails/consent-gate';

describe('choosing the consent gate', () => {
  const pool = {} as Database;

  it('uses the unordered gate on embedded PGlite only, by name', () => {
    expect(consentGateFor({ driver: 'pglite' })).toBe(SINGLE_CONNECTION_CONSENT_GATE);
    expect(consentGateFor({ driver: 'postgres', gate: pool })).not.toBe(
      SINGLE_CONNECTION_CONSENT_GATE,
    );
  });

  it('refuses Postgres without a pool for the gate instead of sending unordered', () => {
    expect(() => consentGateFor({ driver: 'postgres' })).toThrow(/consent gate needs a pool/);
  });

  it('makes no gate of a missing pool, so the send path takes its fail-closed default', () => {
    expect(createConsentGate(undefined)).toBeUndefined();
    expect(createConsentGate(pool)).not.toBe(SINGLE_CONNECTION_CONSENT_GATE);
  });
});
