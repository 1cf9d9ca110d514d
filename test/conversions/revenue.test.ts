import { readRevenue, RevenueError } from '../../src/conversions/revenue';

describe('readRevenue', () => {
  it('reads properties.revenue and an upper-cased currency by default', () => {
    expect(readRevenue({ revenue: 59.5, currency: 'eur' })).toEqual({
      revenue: 59.5,
      currency: 'EUR',
    });
  });

  it('follows a nested path with or without the event. prefix, and decimal strings', () => {
    const properties = { order: { total: '120.25' } };
    expect(readRevenue(properties, 'event.properties.order.total')).toEqual({
      revenue: 120.25,
      currency: null,
    });
    expect(readRevenue(properties, 'properties.order.total').revenue).toBe(120.25);
  });

  it('treats a missing or null revenue as 0', () => {
    expect(readRevenue({})).toEqual({ revenue: 0, currency: null });
    expect(readRevenue({ revenue: null }).revenue).toBe(0);
    expect(readRevenue({ order: 5 }, 'event.properties.order.total').revenue).toBe(0);
    // Own properties only: a path never walks into the prototype chain.
    expect(readRevenue({}, 'event.properties.constructor.length').revenue).toBe(0);
  });

  it('refuses what is there but is not an amount, naming the field and never the value', () => {
    const refused = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(RevenueError);
        return (error as RevenueError).message;
      }
      throw new Error('expected a RevenueError');
    };
    expect(refused(() => readRevenue({ revenue: 'SECRET' }))).toBe(
      'event.properties.revenue must be a number (or a decimal string)',
    );
    expect(refused(() => readRevenue({ revenue: -1 }))).toContain('must be between 0');
    expect(refused(() => readRevenue({ revenue: 1e12 }))).toContain('must be between 0');
    expect(refused(() => readRevenue({ revenue: [1] }))).toContain('must be a number');
    expect(refused(() => readRevenue({ revenue: 1, currency: 'SECRET' }))).toBe(
      'event.properties.currency must be a three-letter currency code',
    );
    expect(refused(() => readRevenue({}, 'trigger.properties.total'))).toContain(
      'revenuePath must point into',
    );
  });
});
