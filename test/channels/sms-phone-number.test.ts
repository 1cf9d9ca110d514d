import {
  InvalidPhoneNumberError,
  isE164,
  parsePhoneNumber,
  requireE164,
} from '../../src/channels/phone-number';

describe('E.164 phone numbers', () => {
  it.each([
    ['+14155550100', '+14155550100'],
    ['+1 (415) 555-0100', '+14155550100'],
    [' +49 30 1234567 ', '+49301234567'],
    ['+44-20-7946-0958', '+442079460958'],
    ['+12345678', '+12345678'],
    ['+123456789012345', '+123456789012345'],
  ])('normalises %j to %s', (input, expected) => {
    expect(parsePhoneNumber(input)).toEqual({ ok: true, number: expected });
  });

  it.each([
    ['', 'empty'],
    [' ( ) - ', 'empty'],
    ['4155550100', 'missing_plus'],
    ['004915112345678', 'missing_plus'],
    ['+1 415 555 0100 ext 7', 'invalid_characters'],
    ['+1.415.555.0100', 'invalid_characters'],
    ['+1415555010O', 'invalid_characters'],
    ['++14155550100', 'invalid_characters'],
    ['+1234567', 'invalid_length'],
    ['+1234567890123456', 'invalid_length'],
    ['+04155550100', 'invalid_length'],
  ])('refuses %j (%s)', (input, reason) => {
    expect(parsePhoneNumber(input)).toEqual({ ok: false, reason });
  });

  it('checks the stored form strictly', () => {
    expect(isE164('+14155550100')).toBe(true);
    expect(isE164('+1 415 555 0100')).toBe(false);
  });

  it('names the field and the reason in errors, never the number', () => {
    expect(requireE164('+1 (415) 555-0100')).toBe('+14155550100');
    let caught: unknown;
    try {
      requireE164('4915112345678', 'to');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPhoneNumberError);
    expect(caught).toMatchObject({ field: 'to', reason: 'missing_plus' });
    expect(String((caught as Error).message)).toMatch(/^to must start with "\+"/);
    expect(String((caught as Error).message)).not.toContain('4915112345678');
  });
});
