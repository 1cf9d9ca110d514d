import fc from 'fast-check';
import {
  BUILT_IN_PROFILE_FIELDS,
  toProfileSnapshot,
  type ProfileSource,
} from '../../src/customers';
import type { JsonValue } from '../../src/journeys/run-types';

const source = (overrides: Partial<ProfileSource> = {}): ProfileSource => ({
  id: 'c-1',
  timeZone: 'Europe/Paris',
  locale: 'fr-FR',
  hasEmail: true,
  hasPhone: false,
  consent: { email: 'opted_in' },
  attributes: { plan: 'pro' },
  lastEngagedAt: null,
  ...overrides,
});

describe('toProfileSnapshot', () => {
  it('flattens attributes beside the built-in fields conditions see', () => {
    expect(
      toProfileSnapshot(source({ lastEngagedAt: new Date('2026-11-30T10:00:00.000Z') })),
    ).toEqual({
      plan: 'pro',
      id: 'c-1',
      timeZone: 'Europe/Paris',
      locale: 'fr-FR',
      hasEmail: true,
      hasPhone: false,
      consent: { email: 'opted_in' },
      last_engaged_at: '2026-11-30T10:00:00.000Z',
    });
  });

  it('leaves last_engaged_at out for a customer who never engaged', () => {
    expect(toProfileSnapshot(source())).not.toHaveProperty('last_engaged_at');
  });

  it('never lets an attribute shadow a built-in field or carry an address (fuzzed)', () => {
    const name = fc.oneof(
      fc.constantFrom(...BUILT_IN_PROFILE_FIELDS),
      fc.constant('__proto__'),
      fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/),
    );
    fc.assert(
      fc.property(
        fc.dictionary(name, fc.jsonValue() as fc.Arbitrary<JsonValue>),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.date({ noInvalidDate: true }), { nil: null }),
        (attributes, hasEmail, hasPhone, lastEngagedAt) => {
          const input = source({
            attributes,
            hasEmail,
            hasPhone,
            lastEngagedAt,
          });
          const frozen = JSON.stringify(input);
          const snapshot = toProfileSnapshot(input);
          expect(JSON.stringify(input)).toBe(frozen);
          expect(snapshot).not.toHaveProperty('email');
          expect(snapshot).not.toHaveProperty('phone');
          expect(snapshot).toMatchObject({ id: 'c-1', hasEmail, hasPhone });
          expect(snapshot.last_engaged_at).toBe(lastEngagedAt?.toISOString());
          for (const [key, value] of Object.entries(attributes)) {
            if (BUILT_IN_PROFILE_FIELDS.has(key)) continue;
            expect(Object.getOwnPropertyDescriptor(snapshot, key)?.value).toEqual(value);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
