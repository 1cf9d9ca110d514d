/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, expect.stringMatching) are typed any. */
import { inputIssues } from '../../src/api/input-limits';
import { eventInputSchema } from '../../src/contract/events';
import { customerRow } from '../../src/imports/customer-rows';
import { eventRow } from '../../src/imports/event-rows';
import { Rejections, REJECTIONS_SHOWN } from '../../src/imports/row-issues';

/**
 * An import row is checked as the API checks a body — the input limits, then the same zod
 * schema, then the stored size — and each bad field is named by its path, never its value.
 */

const rules = { limits: inputIssues, maxEventBytes: 200 };
const good = { id: 'e-1', customerId: 'ada', type: 'purchase', properties: { total: 5 } };

describe('eventRow', () => {
  it('accepts what POST /v1/events accepts and stages it', () => {
    expect(eventInputSchema.safeParse(good).success).toBe(true);
    expect(eventRow(3, { ...good, occurredAt: '2026-01-02T03:04:05+01:00' }, rules)).toEqual({
      event: {
        line: 3,
        id: 'e-1',
        customerId: 'ada',
        type: 'purchase',
        occurredAt: '2026-01-02T03:04:05+01:00',
        properties: '{"total":5}',
        deliveryId: null,
      },
    });
  });

  it.each([
    ['id', { ...good, id: '' }, 'id'],
    ['customerId', { ...good, customerId: 'ada lovelace' }, 'customerId'],
    ['type', { ...good, type: 'has space' }, 'type'],
    ['occurredAt', { ...good, occurredAt: '2026-13-01' }, 'occurredAt'],
    ['a year out of range', { ...good, occurredAt: '0001-01-01T00:30:00+01:00' }, 'occurredAt'],
    ['properties that are no object', { ...good, properties: [1] }, 'properties'],
    ['deliveryId', { ...good, deliveryId: 'not-a-uuid' }, 'deliveryId'],
    ['an unknown field', { ...good, channel: 'web' }, 'channel'],
    ['a missing field', { id: 'e-1', customerId: 'ada' }, 'type'],
    ['a NUL in a property', { ...good, properties: { note: 'a\u0000' } }, 'properties.note'],
    ['a lone surrogate', { ...good, properties: { s: '\ud800' } }, 'properties.s'],
    [
      'a prototype key',
      { ...good, properties: JSON.parse('{"__proto__": {}}') },
      'properties.__proto__',
    ],
    ['too large properties', { ...good, properties: { text: 'x'.repeat(300) } }, 'properties'],
  ])('names the field of %s', (_name, value, path) => {
    const result = eventRow(7, value, rules);
    expect(result).toEqual({
      issues: expect.arrayContaining([{ line: 7, path, message: expect.any(String) }]),
    });
  });

  it('never repeats a value in its messages', () => {
    const result = eventRow(
      1,
      { ...good, customerId: 'secret@example.com', type: 'Secret Type' },
      rules,
    );
    expect(JSON.stringify(result)).not.toMatch(/secret/i);
  });

  it('refuses nesting deeper than the API allows before the schema walks it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i += 1) deep = [deep];
    const result = eventRow(2, { ...good, properties: { deep } }, rules);
    expect(result).toEqual({
      issues: [
        {
          line: 2,
          path: expect.stringMatching(/^properties\.deep/),
          message: expect.stringMatching(/nested/),
        },
      ],
    });
  });
});

describe('customerRow', () => {
  it("accepts PUT /v1/customers/{id}'s body with the id, keeping nulls that clear", () => {
    const result = customerRow(
      4,
      {
        id: 'ada',
        email: null,
        attributes: { plan: 'pro', old: null },
        consent: { sms: 'opted_in' },
      },
      inputIssues,
    );
    expect(result).toEqual({
      customer: {
        line: 4,
        id: 'ada',
        email: null,
        change: JSON.stringify({
          email: null,
          attributes: { plan: 'pro', old: null },
          consent: { sms: 'opted_in' },
        }),
        changesConsent: true,
      },
    });
  });

  it.each([
    ['id', { email: 'a@example.com' }, 'id'],
    ['email', { id: 'a', email: 'nope' }, 'email'],
    ['phone', { id: 'a', phone: '0123' }, 'phone'],
    ['timeZone', { id: 'a', timeZone: 'Europe/Atlantis' }, 'timeZone'],
    ['locale', { id: 'a', locale: 'english please' }, 'locale'],
    ['a consent state', { id: 'a', consent: { sms: 'maybe' } }, 'consent.sms'],
    ['a consent channel', { id: 'a', consent: { fax: 'opted_in' } }, 'consent.fax'],
    ['attributes', { id: 'a', attributes: 'plan=pro' }, 'attributes'],
    ['an unknown field', { id: 'a', name: 'Ada' }, 'name'],
  ])('names the field of %s', (_name, value, path) => {
    expect(customerRow(9, value, inputIssues)).toEqual({
      issues: expect.arrayContaining([{ line: 9, path, message: expect.any(String) }]),
    });
  });
});

describe('Rejections', () => {
  it('counts every refused row once and keeps the first issues, in line order', () => {
    const rejections = new Rejections();
    rejections.add([
      { line: 9, path: 'a', message: 'm' },
      { line: 9, path: 'b', message: 'm' },
    ]);
    rejections.addLines([3], 1, 'customerId', 'unknown');
    for (let line = 10; line < 300; line += 1) rejections.add([{ line, path: 'x', message: 'm' }]);
    expect(rejections.rows).toBe(292);
    expect(rejections.sorted()).toHaveLength(REJECTIONS_SHOWN);
    expect(
      rejections
        .sorted()
        .slice(0, 3)
        .map((i) => [i.line, i.path]),
    ).toEqual([
      [3, 'customerId'],
      [9, 'a'],
      [9, 'b'],
    ]);
  });
});
