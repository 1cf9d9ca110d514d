/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, expect.stringContaining) are typed any. */
import { incomingWins, ruleFor } from '../../src/sync/conflict-rules';
import { foldRows, resolveRow, type StoredProfile } from '../../src/sync/resolve-row';
import { validateRow } from '../../src/sync/row-validation';
import { mapRow } from '../../src/sync/source-mapping';

/**
 * The pure parts of a sync: a row mapped to Cairn fields (blanks left out), checked as the
 * profile API checks a body, and the three conflict rules deciding field by field.
 */

const mapping = {
  customer_id: 'id',
  email: 'email',
  'profile.zone': 'timeZone',
  plan: 'attributes.plan',
  seen: 'attributes.last_seen',
  updated_at: 'updatedAt',
};

describe('mapRow', () => {
  it('maps source fields and dotted paths to Cairn fields, dates as ISO strings', () => {
    const seen = new Date('2026-11-01T10:00:00.123Z');
    const mapped = mapRow(
      {
        customer_id: 42,
        email: 'ada@example.com',
        profile: { zone: 'Europe/Berlin' },
        plan: 'pro',
        seen,
        updated_at: seen,
      },
      mapping,
    );
    expect(mapped).toEqual({
      id: 42,
      updatedAt: seen,
      fields: {
        email: 'ada@example.com',
        timeZone: 'Europe/Berlin',
        'attributes.plan': 'pro',
        'attributes.last_seen': '2026-11-01T10:00:00.123Z',
      },
    });
  });

  it('leaves blank values out, so they can never clear a field', () => {
    const mapped = mapRow({ customer_id: 'c1', email: null, plan: '   ', profile: {} }, mapping);
    expect(mapped.fields).toEqual({});
  });

  it('never follows a prototype', () => {
    expect(
      mapRow({ customer_id: 'c1' }, { 'constructor.name': 'attributes.x', customer_id: 'id' })
        .fields,
    ).toEqual({});
  });
});

describe('validateRow', () => {
  it('accepts a valid row, an integer id as its digits', () => {
    const checked = validateRow(
      mapRow({ customer_id: 7, email: 'a@b.co', plan: 'pro' }, mapping),
      1,
    );
    expect(checked).toEqual({
      row: {
        id: '7',
        fields: new Map([
          ['email', 'a@b.co'],
          ['attributes.plan', 'pro'],
        ]),
        updatedAt: null,
      },
    });
  });

  it('reports each bad field by row key and field, never the value', () => {
    const checked = validateRow(
      mapRow(
        {
          customer_id: 'c1',
          email: 'not-an-email',
          profile: { zone: 'Mars/Base' },
          updated_at: 'soon',
        },
        mapping,
      ),
      3,
    );
    expect(checked).toEqual({
      issues: [
        { key: 'c1', field: 'email', message: 'must be an email address' },
        { key: 'c1', field: 'timeZone', message: expect.stringContaining('IANA') },
        { key: 'c1', field: 'updatedAt', message: 'must be a timestamp' },
      ],
    });
    expect(JSON.stringify(checked)).not.toContain('not-an-email');
  });

  it('keys a row without a valid id by its place in the run', () => {
    expect(validateRow(mapRow({ email: 'a@b.co' }, mapping), 5)).toEqual({
      issues: [{ key: 'row 5', field: 'id', message: 'must be a customer id' }],
    });
    expect(validateRow(mapRow({ customer_id: 'bad id!' }, mapping), 6)).toMatchObject({
      issues: [{ key: 'row 6', field: 'id' }],
    });
  });
});

const at = (iso: string) => new Date(iso);
const earlier = at('2026-01-01T00:00:00Z');
const later = at('2026-06-01T00:00:00Z');

describe('incomingWins', () => {
  const stored = (sourceId: string | null, priority: number, valueAt: Date) => ({
    value: 'stored',
    ...(sourceId ? { provenance: { sourceId, priority, valueAt } } : {}),
    customerUpdatedAt: earlier,
  });
  const incoming = (priority: number, valueAt: Date, value: string | null = 'new') => ({
    sourceId: 'crm',
    priority,
    valueAt,
    value,
  });

  it('fills a blank stored value under every rule, and a blank incoming value never wins', () => {
    for (const rule of ['merge_fields', 'last_write_wins', 'source_priority'] as const) {
      expect(
        incomingWins(rule, { value: undefined, customerUpdatedAt: later }, incoming(-5, earlier)),
      ).toBe(true);
      expect(
        incomingWins(rule, { value: '', customerUpdatedAt: later }, incoming(-5, earlier)),
      ).toBe(true);
      expect(
        incomingWins(
          rule,
          { value: undefined, customerUpdatedAt: earlier },
          incoming(99, later, null),
        ),
      ).toBe(false);
      expect(incomingWins(rule, stored(null, 0, earlier), incoming(99, later, '  '))).toBe(false);
    }
  });

  it('merge_fields: only blanks are filled', () => {
    expect(incomingWins('merge_fields', stored('shop', -10, earlier), incoming(100, later))).toBe(
      false,
    );
  });

  it('last_write_wins: the newer value wins, a value with no source dated by the profile', () => {
    expect(incomingWins('last_write_wins', stored('shop', 100, earlier), incoming(0, later))).toBe(
      true,
    );
    expect(incomingWins('last_write_wins', stored('shop', 0, later), incoming(100, earlier))).toBe(
      false,
    );
    expect(incomingWins('last_write_wins', stored(null, 0, earlier), incoming(0, later))).toBe(
      true,
    );
  });

  it('source_priority: a lower priority never overwrites a higher one, whatever the times', () => {
    expect(incomingWins('source_priority', stored('shop', 20, earlier), incoming(10, later))).toBe(
      false,
    );
    expect(incomingWins('source_priority', stored('shop', 10, later), incoming(20, earlier))).toBe(
      true,
    );
    // Equal priorities and the field's own source fall back to the newer value.
    expect(incomingWins('source_priority', stored('shop', 10, earlier), incoming(10, later))).toBe(
      true,
    );
    expect(incomingWins('source_priority', stored('crm', 50, later), incoming(50, earlier))).toBe(
      false,
    );
    expect(incomingWins('source_priority', stored('crm', 50, earlier), incoming(1, later))).toBe(
      true,
    );
    // A value no source set ranks as priority 0.
    expect(incomingWins('source_priority', stored(null, 0, earlier), incoming(-1, later))).toBe(
      false,
    );
    expect(incomingWins('source_priority', stored(null, 0, earlier), incoming(1, earlier))).toBe(
      true,
    );
  });

  it('takes a field’s own rule before the default', () => {
    const conflicts = {
      default: 'source_priority' as const,
      fields: { email: 'merge_fields' as const },
    };
    expect(ruleFor(conflicts, 'email')).toBe('merge_fields');
    expect(ruleFor(conflicts, 'attributes.plan')).toBe('source_priority');
  });
});

describe('resolveRow', () => {
  const profile: StoredProfile = {
    email: 'old@example.com',
    phone: null,
    timeZone: 'UTC',
    locale: null,
    attributes: { plan: 'free', tier: 'gold' },
    updatedAt: earlier,
  };
  const source = {
    id: 'crm',
    priority: 5,
    conflicts: { default: 'source_priority' as const, fields: {} },
  };

  it('changes what the source wins, claims an equal value without a change', () => {
    const row = {
      id: 'c1',
      updatedAt: null,
      fields: new Map<never, string>([
        ['email' as never, 'new@example.com'],
        ['timeZone' as never, 'UTC'],
        ['attributes.plan' as never, 'pro'],
      ]),
    };
    const result = resolveRow(
      source,
      row,
      profile,
      new Map([['attributes.plan', { sourceId: 'billing', priority: 9, valueAt: earlier }]]),
      later,
    );
    expect(result.change).toEqual({ email: 'new@example.com' });
    expect(result.claims).toEqual([
      { field: 'email', valueAt: later },
      { field: 'timeZone', valueAt: later },
    ]);
  });

  it('a new customer takes every field', () => {
    const row = {
      id: 'c2',
      updatedAt: earlier,
      fields: new Map<never, string>([['attributes.plan' as never, 'pro']]),
    };
    expect(resolveRow(source, row, null, new Map(), later)).toEqual({
      change: { attributes: { plan: 'pro' } },
      claims: [{ field: 'attributes.plan', valueAt: earlier }],
    });
  });

  it('folds rows of one customer in order, the later value winning', () => {
    const folded = foldRows([
      {
        id: 'a',
        updatedAt: earlier,
        fields: new Map<never, string>([
          ['email' as never, 'x@y.co'],
          ['locale' as never, 'fr'],
        ]),
      },
      { id: 'a', updatedAt: later, fields: new Map<never, string>([['email' as never, 'z@y.co']]) },
    ]);
    expect(folded).toEqual([
      {
        id: 'a',
        updatedAt: later,
        fields: new Map([
          ['email', 'z@y.co'],
          ['locale', 'fr'],
        ]),
      },
    ]);
  });
});
