import type { IdentifierKey } from '../../src/privacy/identifier-hash';

/** The identifier key (CAIRN_PRIVACY_KEY) of test workers and APIs: a test value, never a real one. */
export const TEST_IDENTIFIER_KEY: IdentifierKey = {
  secret: 'test-identifier-key-0123456789abcdef',
};
