import {
  classifySmtpFailure,
  classifyTwilioFailure,
  suppressionForSendFailure,
} from '../../src/guardrails/bounce-rules';

describe('classifySmtpFailure', () => {
  it.each([
    ['smtp_550', undefined, 'hard_bounce'],
    ['smtp_551', undefined, 'hard_bounce'],
    ['smtp_553', undefined, 'hard_bounce'],
    ['smtp_556', undefined, 'hard_bounce'],
    ['550', undefined, 'hard_bounce'],
    ['smtp_552', undefined, null],
    ['smtp_554', undefined, null],
    ['smtp_500', undefined, null],
    ['smtp_450', undefined, null],
    ['smtp_421', undefined, null],
    ['ECONNREFUSED', undefined, null],
    ['EENVELOPE', undefined, null],
    ['smtp_5500', undefined, null],
  ] as const)('%s → %s', (code, enhanced, expected) => {
    expect(classifySmtpFailure(code, enhanced)).toBe(expected);
  });

  it.each([
    ['smtp_550', '5.1.1', 'hard_bounce'],
    ['smtp_550', '5.1.10', 'hard_bounce'],
    ['smtp_554', '5.1.2', 'hard_bounce'],
    ['smtp_550', '5.2.1', 'hard_bounce'],
    ['smtp_552', '5.2.2', null],
    ['smtp_550', '5.2.2', null],
    ['smtp_550', '5.7.1', null],
    ['smtp_554', '5.7.1', null],
    ['smtp_550', '5.4.4', null],
    ['smtp_550', '4.1.1', null],
    ['smtp_451', '4.2.2', null],
  ] as const)('%s with %s → %s: the enhanced status decides', (code, enhanced, expected) => {
    expect(classifySmtpFailure(code, enhanced)).toBe(expected);
  });

  it('falls back to the basic code when the enhanced status is malformed', () => {
    expect(classifySmtpFailure('smtp_550', 'user unknown')).toBe('hard_bounce');
    expect(classifySmtpFailure('smtp_554', '5.1')).toBeNull();
  });
});

describe('classifyTwilioFailure', () => {
  it.each([
    [21211, 'invalid_address'],
    [21217, 'invalid_address'],
    [21407, 'invalid_address'],
    [21614, 'invalid_address'],
    [30005, 'invalid_address'],
    [30006, 'invalid_address'],
    [21610, 'complaint'],
    [30003, null],
    [30007, null],
    [30008, null],
    [20429, null],
    [0, null],
  ] as const)('%d → %s', (code, expected) => {
    expect(classifyTwilioFailure(code)).toBe(expected);
  });
});

describe('suppressionForSendFailure', () => {
  it('reads ChannelError codes per channel', () => {
    expect(suppressionForSendFailure('email', 'smtp_550')).toBe('hard_bounce');
    expect(suppressionForSendFailure('email', 'smtp_451')).toBeNull();
    expect(suppressionForSendFailure('sms', 'twilio_21211')).toBe('invalid_address');
    expect(suppressionForSendFailure('sms', 'twilio_30007')).toBeNull();
    expect(suppressionForSendFailure('sms', 'twilio_http_503')).toBeNull();
    expect(suppressionForSendFailure('sms', 'smtp_550')).toBeNull();
    expect(suppressionForSendFailure('push', 'UNREGISTERED')).toBeNull();
    expect(suppressionForSendFailure('webhook', 'http_410')).toBeNull();
  });
});
