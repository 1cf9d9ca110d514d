import {
  DEFAULT_MERGE_RULES,
  identifierKeys,
  isNeverMergeValue,
  limitBreach,
  MergeRulesError,
  normaliseValue,
  parseMergeRulesEnv,
} from '../../src/identity';
import { loadConfig, ConfigError } from '../../src/config';

const rules = DEFAULT_MERGE_RULES;

describe('identifier normalisation', () => {
  it('lower-cases and trims emails, and leaves ids case-sensitive', () => {
    expect(normaliseValue('email', '  Ada@Example.COM ')).toBe('ada@example.com');
    expect(normaliseValue('userId', ' User-42 ')).toBe('User-42');
    expect(normaliseValue('external:crm', 'C-1042')).toBe('C-1042');
  });

  it('strips separators from phones and reads a leading 00 as +', () => {
    expect(normaliseValue('phone', '+1 (415) 555-0100')).toBe('+14155550100');
    expect(normaliseValue('phone', '0044 20.7946.0958')).toBe('+442079460958');
  });
});

describe('values that never merge', () => {
  it.each([
    '',
    '   ',
    'null',
    'NULL',
    'undefined',
    'anonymous',
    'Unknown',
    '0',
    '0000',
    '00000000-0000-0000-0000-000000000000',
  ])('%j is a placeholder, never an identifier', (value) => {
    expect(isNeverMergeValue(normaliseValue('userId', value), rules)).toBe(true);
  });

  it('real ids are not placeholders, and the list is configurable', () => {
    expect(isNeverMergeValue('user-1', rules)).toBe(false);
    expect(isNeverMergeValue('100', rules)).toBe(false);
    expect(isNeverMergeValue('guest', rules)).toBe(false);
    expect(isNeverMergeValue('GUEST', { ...rules, neverMerge: ['guest'] })).toBe(true);
  });

  it('are left out of resolution and listed by type, never by value', () => {
    const { keys, ignored } = identifierKeys(
      { userId: 'null', anonymousId: 'a-1', email: ' ', external: { crm: '0000' } },
      rules,
    );
    expect(keys).toEqual([{ type: 'anonymousId', value: 'a-1' }]);
    expect(ignored).toEqual([
      { type: 'userId', reason: 'never_merge_value' },
      { type: 'email', reason: 'never_merge_value' },
      { type: 'external:crm', reason: 'never_merge_value' },
    ]);
  });
});

describe('priority', () => {
  it('orders keys by the rules: userId, external, email, phone, anonymousId by default', () => {
    const { keys } = identifierKeys(
      {
        anonymousId: 'a',
        phone: '+14155550100',
        email: 'x@y.z',
        external: { crm: 'c' },
        userId: 'u',
      },
      rules,
    );
    expect(keys.map((k) => k.type)).toEqual([
      'userId',
      'external:crm',
      'email',
      'phone',
      'anonymousId',
    ]);
  });

  it('follows a configured priority', () => {
    const custom = {
      ...rules,
      priority: ['email', 'userId', 'anonymousId', 'phone', 'external'] as typeof rules.priority,
    };
    const { keys } = identifierKeys({ userId: 'u', email: 'x@y.z', anonymousId: 'a' }, custom);
    expect(keys.map((k) => k.type)).toEqual(['email', 'userId', 'anonymousId']);
  });
});

describe('limits', () => {
  const anon = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ type: 'anonymousId', value: `a${i}` }));

  it('allows up to the limit per type and names the first type over it', () => {
    expect(limitBreach(rules, anon(5))).toBeNull();
    expect(limitBreach(rules, anon(6))).toBe('anonymousId');
    expect(
      limitBreach(rules, [
        { type: 'userId', value: 'u1' },
        { type: 'userId', value: 'u2' },
      ]),
    ).toBe('userId');
  });

  it('counts a value once and external ids per source', () => {
    expect(limitBreach(rules, [...anon(5), ...anon(5)])).toBeNull();
    expect(
      limitBreach(rules, [
        { type: 'external:crm', value: 'c1' },
        { type: 'external:shop', value: 's1' },
      ]),
    ).toBeNull();
    expect(
      limitBreach(rules, [
        { type: 'external:crm', value: 'c1' },
        { type: 'external:crm', value: 'c2' },
      ]),
    ).toBe('external:crm');
  });
});

describe('merge rules from the environment', () => {
  it('defaults without CAIRN_MERGE_RULES, and replaces keys given (limits key by key)', () => {
    expect(parseMergeRulesEnv(undefined)).toEqual(DEFAULT_MERGE_RULES);
    const parsed = parseMergeRulesEnv('{"mergeOn":["userId"],"limits":{"anonymousId":2}}');
    expect(parsed.mergeOn).toEqual(['userId']);
    expect(parsed.limits).toEqual({ ...DEFAULT_MERGE_RULES.limits, anonymousId: 2 });
    expect(parsed.priority).toEqual(DEFAULT_MERGE_RULES.priority);
  });

  it('refuses bad rules naming the field', () => {
    expect(() => parseMergeRulesEnv('not json')).toThrow(MergeRulesError);
    expect(() => parseMergeRulesEnv('{"limits":{"email":-1}}')).toThrow(/limits\.email/);
    expect(() => parseMergeRulesEnv('{"mergeOn":["fax"]}')).toThrow(/mergeOn\.0/);
    expect(() =>
      parseMergeRulesEnv('{"priority":["userId","userId","email","phone","external"]}'),
    ).toThrow(/priority/);
    expect(() => parseMergeRulesEnv('{"surprise":1}')).toThrow(MergeRulesError);
  });

  it('is part of the validated configuration', () => {
    expect(loadConfig({}).mergeRules).toEqual(DEFAULT_MERGE_RULES);
    expect(
      loadConfig({ CAIRN_MERGE_RULES: '{"neverMerge":["guest"]}' }).mergeRules.neverMerge,
    ).toEqual(['guest']);
    expect(() => loadConfig({ CAIRN_MERGE_RULES: '{"limits":{"userId":"one"}}' })).toThrow(
      ConfigError,
    );
  });
});
