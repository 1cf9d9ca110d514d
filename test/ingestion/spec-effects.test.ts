import { messageTime } from '../../src/ingestion/message-time';
import { snakeName, specEffect, traitChange } from '../../src/ingestion/spec-effects';

const received = new Date('2026-12-01T12:00:00.000Z');
const id = () => 'generated';

describe('messageTime', () => {
  it('subtracts how long the call waited on the device from when it arrived', () => {
    // The device clock is 3 h behind; the call waited 90 s there.
    const at = messageTime(
      { timestamp: '2026-12-01T08:58:30.000Z', sentAt: '2026-12-01T09:00:00.000Z' },
      received,
    );
    expect(at.toISOString()).toBe('2026-12-01T11:58:30.000Z');
  });

  it('prefers originalTimestamp, takes a timestamp without sentAt as it is, else arrival', () => {
    expect(
      messageTime(
        {
          originalTimestamp: '2026-12-01T11:00:00.000Z',
          timestamp: '2020-01-01T00:00:00.000Z',
          sentAt: '2026-12-01T11:00:10.000Z',
        },
        received,
      ).toISOString(),
    ).toBe('2026-12-01T11:59:50.000Z');
    expect(messageTime({ timestamp: '2025-05-05T05:05:05.000Z' }, received).toISOString()).toBe(
      '2025-05-05T05:05:05.000Z',
    );
    expect(messageTime({ sentAt: '2026-12-01T11:00:00.000Z' }, received)).toEqual(received);
  });
});

describe('specEffect', () => {
  it('reads a track as a canonical event dated by the corrected time', () => {
    const effect = specEffect(
      {
        type: 'track',
        userId: 'ada',
        event: 'Order Completed',
        properties: { total: 5 },
        timestamp: '2026-12-01T11:59:00.000Z',
      },
      { sentAt: '2026-12-01T11:59:30.000Z' },
      received,
      id,
    );
    expect(effect).toEqual({
      messageId: 'generated',
      type: 'track',
      userId: 'ada',
      event: { type: 'purchase', occurredAt: '2026-12-01T11:59:30.000Z', properties: { total: 5 } },
    });
  });

  it('reads page and screen as page_view and screen_view with their name and category', () => {
    const page = specEffect(
      {
        type: 'page',
        anonymousId: 'v',
        name: 'Pricing',
        category: 'Docs',
        messageId: 'p',
      },
      {},
      received,
      id,
    );
    expect(page.event).toEqual({
      type: 'page_view',
      occurredAt: received.toISOString(),
      properties: { name: 'Pricing', category: 'Docs' },
    });
    const screen = specEffect({ type: 'screen', userId: 'u', name: 'Cart' }, {}, received, id);
    expect(screen.event?.type).toBe('screen_view');
  });

  it('keeps group traits on the profile and alias ids for identity', () => {
    expect(
      specEffect(
        {
          type: 'group',
          userId: 'u',
          groupId: 'acme',
          traits: { employeeCount: 40 },
        },
        {},
        received,
        id,
      ).profile,
    ).toEqual({ attributes: { group_id: 'acme', group: { employee_count: 40 } } });
    expect(
      specEffect({ type: 'alias', userId: 'u', previousId: 'anon-1' }, {}, received, id),
    ).toMatchObject({ userId: 'u', previousId: 'anon-1' });
  });
});

describe('traitChange', () => {
  it('puts email and phone in their fields and every other trait in snake_case attributes', () => {
    expect(
      traitChange(
        {
          email: 'Ada@Example.COM',
          phone: '+442071838750',
          firstName: 'Ada',
          id: 'ada',
          plan: null,
        },
        { timezone: 'Europe/London', locale: 'en-GB' },
      ),
    ).toEqual({
      email: 'ada@example.com',
      phone: '+442071838750',
      timeZone: 'Europe/London',
      locale: 'en-GB',
      attributes: { first_name: 'Ada', plan: null },
    });
  });

  it('ignores a device zone or locale that is not one, and never reads consent from traits', () => {
    expect(traitChange({ unsubscribed: true }, { timezone: 'Mars/Base', locale: 'x' })).toEqual({
      attributes: { unsubscribed: true },
    });
  });

  it('names traits as Cairn attributes', () => {
    expect(['firstName', 'createdAt', 'Plan Type', 'first_name', 'x'].map(snakeName)).toEqual([
      'first_name',
      'created_at',
      'plan_type',
      'first_name',
      'x',
    ]);
  });
});
